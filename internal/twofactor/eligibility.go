package twofactor

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"accountd/internal/account"
)

// State is the enrolment state of a user's two-factor key.
type State string

// The states of a user's two-factor key.
const (
	// StateNotConfigured means the user has no key.
	StateNotConfigured State = "NOT_CONFIGURED"
	// StatePendingConfirmation means a key was emailed and awaits its
	// first code.
	StatePendingConfirmation State = "PENDING_CONFIRMATION"
	// StateConfigured means the key is confirmed and required at login.
	StateConfigured State = "CONFIGURED"
)

// States lists every state.
var States = []State{StateNotConfigured, StatePendingConfirmation, StateConfigured}

// Reason names why a two-factor key cannot be created.
type Reason string

// The reasons, in the order the conditions are checked.
const (
	// ReasonNone means nothing is missing.
	ReasonNone Reason = ""
	// ReasonNotRequired means the user does not have twoFactorRequired.
	ReasonNotRequired Reason = "TWO_FACTOR_NOT_REQUIRED"
	// ReasonNoEmail means the user has no email address to send the key to.
	ReasonNoEmail Reason = "NO_EMAIL"
	// ReasonAccountInactive means the account is REJECTED or INACTIVE.
	ReasonAccountInactive Reason = "ACCOUNT_INACTIVE"
	// ReasonNoFormSpace means no assigned form space has a security manager
	// with twoFactorEnabled.
	ReasonNoFormSpace Reason = "NO_TWO_FACTOR_FORM_SPACE"
	// ReasonAlreadyConfigured means a confirmed key exists: reset it instead.
	ReasonAlreadyConfigured Reason = "ALREADY_CONFIGURED"
)

// Reasons lists every reason other than ReasonNone, in checking order.
var Reasons = []Reason{
	ReasonNotRequired,
	ReasonNoEmail,
	ReasonAccountInactive,
	ReasonNoFormSpace,
	ReasonAlreadyConfigured,
}

// Subject is what eligibility depends on, read from the user, its form
// spaces and its key.
type Subject struct {
	TwoFactorRequired bool
	Email             string
	Status            account.Status
	// TwoFactorFormSpace is whether any assigned form space's security
	// manager has twoFactorEnabled.
	TwoFactorFormSpace bool
	// Key is the state of the user's key; the zero value means none.
	Key State
}

// Eligibility tells which key actions are available to a user, and why
// creation is not.
type Eligibility struct {
	State        State
	CanCreateKey bool
	CanResetKey  bool
	// UnavailableReason is the first unmet condition of creating a key, or
	// ReasonNone when a key can be created.
	UnavailableReason Reason
}

// Evaluate applies the eligibility rules. A key can be created when the user
// requires two factors, has an email address, is neither REJECTED nor
// INACTIVE and has a form space with two factors enabled, unless a key is
// already CONFIGURED; a key that exists can be reset under the same
// conditions.
func Evaluate(s Subject) Eligibility {
	e := Eligibility{State: s.Key}
	if e.State == "" {
		e.State = StateNotConfigured
	}
	switch {
	case !s.TwoFactorRequired:
		e.UnavailableReason = ReasonNotRequired
	case strings.TrimSpace(s.Email) == "":
		e.UnavailableReason = ReasonNoEmail
	case s.Status == account.StatusRejected || s.Status == account.StatusInactive:
		e.UnavailableReason = ReasonAccountInactive
	case !s.TwoFactorFormSpace:
		e.UnavailableReason = ReasonNoFormSpace
	default:
		e.CanResetKey = e.State != StateNotConfigured
		if e.State == StateConfigured {
			e.UnavailableReason = ReasonAlreadyConfigured
		} else {
			e.CanCreateKey = true
		}
	}
	return e
}

// MarshalGQL writes the state as a GraphQL enum value.
func (s State) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(s)))
}

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *State) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("two-factor state must be a string, got %T", v)
	}
	for _, known := range States {
		if State(str) == known {
			*s = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a two-factor state", str)
}

// MarshalGQL writes the reason as a GraphQL enum value.
func (r Reason) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(r)))
}

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *Reason) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("two-factor reason must be a string, got %T", v)
	}
	for _, known := range Reasons {
		if Reason(str) == known {
			*r = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a two-factor unavailable reason", str)
}
