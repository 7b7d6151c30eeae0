package graph

import (
	"time"

	"accountd/ent"
	"accountd/ent/predicate"
	"accountd/ent/user"
)

// notFoundOr maps the errors of a lookup by ID to NOT_FOUND: an unknown ID,
// an ID of a type that is not a node, and one the caller may not see all
// look the same from outside.
func notFoundOr(err error) error {
	if ent.IsNotFound(err) {
		return errNotFound
	}
	return err
}

// userSearch matches users whose username, names or email contain text,
// ignoring case.
func userSearch(text string) predicate.User {
	return user.Or(
		user.UsernameContainsFold(text),
		user.FirstNameContainsFold(text),
		user.LastNameContainsFold(text),
		user.EmailContainsFold(text),
	)
}

// expired reports whether an expiry has passed at now; nil means permanent.
// An assignment expires at the very second its expiry names.
func expired(expiresAt *time.Time, now time.Time) bool {
	return expiresAt != nil && !expiresAt.After(now)
}

// current returns the elements of all that keep says to keep.
func current[T any](all []T, keep func(T) bool) []T {
	out := make([]T, 0, len(all))
	for _, v := range all {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}
