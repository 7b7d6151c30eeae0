package account

import "testing"

func TestTransitionTable(t *testing.T) {
	allowed := map[Status][]Status{
		StatusPending:           {StatusActive, StatusRejected, StatusInactive},
		StatusRejected:          {StatusPending, StatusInactive},
		StatusActive:            {StatusInactive, StatusLocked, StatusLockedTemporarily},
		StatusInactive:          {StatusActive, StatusLocked},
		StatusLocked:            {StatusActive, StatusInactive},
		StatusLockedTemporarily: {StatusActive, StatusLocked, StatusInactive},
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := false
			for _, s := range allowed[from] {
				want = want || s == to
			}
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
		if got := len(AllowedTransitions(from)); got != len(allowed[from]) {
			t.Errorf("AllowedTransitions(%s) has %d entries, want %d", from, got, len(allowed[from]))
		}
	}
}

func TestAllowedTransitionsIsACopy(t *testing.T) {
	got := AllowedTransitions(StatusActive)
	got[0] = StatusRejected
	if AllowedTransitions(StatusActive)[0] != StatusInactive {
		t.Fatal("AllowedTransitions shares its backing array with the table")
	}
}

func TestOnlyActiveLogsIn(t *testing.T) {
	for _, s := range Statuses {
		if got := s.CanLogIn(); got != (s == StatusActive) {
			t.Errorf("%s.CanLogIn() = %v", s, got)
		}
	}
}

func TestUnmarshalStatus(t *testing.T) {
	var s Status
	if err := s.UnmarshalGQL("LOCKED"); err != nil || s != StatusLocked {
		t.Fatalf("UnmarshalGQL(LOCKED) = %v, %v", s, err)
	}
	for _, bad := range []any{"locked", "", 3, nil} {
		if err := s.UnmarshalGQL(bad); err == nil {
			t.Errorf("UnmarshalGQL(%#v) accepted", bad)
		}
	}
}
