package twofactor

import (
	"testing"

	"accountd/internal/account"
)

func TestEvaluate(t *testing.T) {
	eligible := Subject{
		TwoFactorRequired:  true,
		Email:              "alice@example.com",
		Status:             account.StatusActive,
		TwoFactorFormSpace: true,
	}
	with := func(change func(s *Subject)) Subject {
		s := eligible
		change(&s)
		return s
	}
	tests := []struct {
		name    string
		subject Subject
		want    Eligibility
	}{
		{"eligible without a key", eligible,
			Eligibility{StateNotConfigured, true, false, ReasonNone}},
		{"eligible with a pending key",
			with(func(s *Subject) { s.Key = StatePendingConfirmation }),
			Eligibility{StatePendingConfirmation, true, true, ReasonNone}},
		{"eligible with a configured key",
			with(func(s *Subject) { s.Key = StateConfigured }),
			Eligibility{StateConfigured, false, true, ReasonAlreadyConfigured}},
		{"not required", with(func(s *Subject) { s.TwoFactorRequired = false }),
			Eligibility{StateNotConfigured, false, false, ReasonNotRequired}},
		{"no email", with(func(s *Subject) { s.Email = "" }),
			Eligibility{StateNotConfigured, false, false, ReasonNoEmail}},
		{"blank email", with(func(s *Subject) { s.Email = "  " }),
			Eligibility{StateNotConfigured, false, false, ReasonNoEmail}},
		{"rejected", with(func(s *Subject) { s.Status = account.StatusRejected }),
			Eligibility{StateNotConfigured, false, false, ReasonAccountInactive}},
		{"inactive", with(func(s *Subject) { s.Status = account.StatusInactive }),
			Eligibility{StateNotConfigured, false, false, ReasonAccountInactive}},
		{"pending account", with(func(s *Subject) { s.Status = account.StatusPending }),
			Eligibility{StateNotConfigured, true, false, ReasonNone}},
		{"locked account", with(func(s *Subject) { s.Status = account.StatusLocked }),
			Eligibility{StateNotConfigured, true, false, ReasonNone}},
		{"temporarily locked account",
			with(func(s *Subject) { s.Status = account.StatusLockedTemporarily }),
			Eligibility{StateNotConfigured, true, false, ReasonNone}},
		{"no form space with two factors",
			with(func(s *Subject) { s.TwoFactorFormSpace = false }),
			Eligibility{StateNotConfigured, false, false, ReasonNoFormSpace}},
		{"configured key of an inactive account",
			with(func(s *Subject) { s.Status = account.StatusInactive; s.Key = StateConfigured }),
			Eligibility{StateConfigured, false, false, ReasonAccountInactive}},
		{"pending key without a form space",
			with(func(s *Subject) { s.TwoFactorFormSpace = false; s.Key = StatePendingConfirmation }),
			Eligibility{StatePendingConfirmation, false, false, ReasonNoFormSpace}},
		{"first unmet condition wins", Subject{Status: account.StatusRejected},
			Eligibility{StateNotConfigured, false, false, ReasonNotRequired}},
		{"email before status",
			with(func(s *Subject) { s.Email = ""; s.Status = account.StatusRejected }),
			Eligibility{StateNotConfigured, false, false, ReasonNoEmail}},
		{"status before form space",
			with(func(s *Subject) { s.Status = account.StatusInactive; s.TwoFactorFormSpace = false }),
			Eligibility{StateNotConfigured, false, false, ReasonAccountInactive}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(tc.subject); got != tc.want {
				t.Fatalf("Evaluate = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEnumsRoundTripThroughGraphQL(t *testing.T) {
	for _, s := range States {
		var got State
		if err := got.UnmarshalGQL(string(s)); err != nil || got != s {
			t.Fatalf("UnmarshalGQL(%q) = (%q, %v)", s, got, err)
		}
	}
	for _, r := range Reasons {
		var got Reason
		if err := got.UnmarshalGQL(string(r)); err != nil || got != r {
			t.Fatalf("UnmarshalGQL(%q) = (%q, %v)", r, got, err)
		}
	}
	var s State
	if err := s.UnmarshalGQL("ENABLED"); err == nil {
		t.Fatalf("UnmarshalGQL accepted an unknown state")
	}
	var r Reason
	if err := r.UnmarshalGQL(""); err == nil {
		t.Fatalf("UnmarshalGQL accepted an empty reason")
	}
}
