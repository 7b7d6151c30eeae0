// Package account holds the business rules of a user account that do not
// depend on storage or on the API: the status lifecycle, the user types and
// the validation of usernames and contact details.
package account

import (
	"fmt"
	"io"
	"strconv"
)

// Status is the lifecycle state of an account.
type Status string

// The account statuses of the lifecycle.
const (
	StatusActive            Status = "ACTIVE"
	StatusInactive          Status = "INACTIVE"
	StatusLocked            Status = "LOCKED"
	StatusLockedTemporarily Status = "LOCKED_TEMPORARILY"
	StatusPending           Status = "PENDING"
	StatusRejected          Status = "REJECTED"
)

// Statuses lists every status in the order an administrator reads them.
var Statuses = []Status{
	StatusActive,
	StatusInactive,
	StatusLocked,
	StatusLockedTemporarily,
	StatusPending,
	StatusRejected,
}

// transitions is the table of the administrator transitions; the order of
// each row is the order in which a console offers them.
var transitions = map[Status][]Status{
	StatusPending:           {StatusActive, StatusRejected, StatusInactive},
	StatusRejected:          {StatusPending, StatusInactive},
	StatusActive:            {StatusInactive, StatusLocked, StatusLockedTemporarily},
	StatusInactive:          {StatusActive, StatusLocked},
	StatusLocked:            {StatusActive, StatusInactive},
	StatusLockedTemporarily: {StatusActive, StatusLocked, StatusInactive},
}

// AllowedTransitions returns the statuses an administrator may move an
// account in status s to. The result is a fresh slice the caller may keep.
func AllowedTransitions(s Status) []Status {
	return append([]Status(nil), transitions[s]...)
}

// CanTransition reports whether an administrator may move an account from
// one status to another. Setting the current status again is not a
// transition; callers treat it as a no-op before asking.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CanLogIn reports whether an account in status s may start a session.
func (s Status) CanLogIn() bool { return s == StatusActive }

// IsValid reports whether s is one of the known statuses.
func (s Status) IsValid() bool {
	_, ok := transitions[s]
	return ok
}

// String returns the status as the API spells it.
func (s Status) String() string { return string(s) }

// Values lists the statuses for ent's enum support.
func (Status) Values() []string {
	vs := make([]string, len(Statuses))
	for i, s := range Statuses {
		vs[i] = string(s)
	}
	return vs
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s Status) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(s)))
}

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *Status) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("account status must be a string, got %T", v)
	}
	if !Status(str).IsValid() {
		return fmt.Errorf("%q is not an account status", str)
	}
	*s = Status(str)
	return nil
}
