package graph

import (
	"errors"
	"time"

	"accountd/ent"
	"accountd/ent/predicate"
	"accountd/internal/reports"
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

// userFilters returns the predicates of a users list: the where input and
// the free-text search.
func userFilters(where *ent.UserWhereInput, search *string) ([]predicate.User, error) {
	var preds []predicate.User
	if where != nil {
		p, err := where.P()
		switch {
		case errors.Is(err, ent.ErrEmptyUserWhereInput):
		case err != nil:
			return nil, BadRequest("invalid users filter: " + err.Error())
		default:
			preds = append(preds, p)
		}
	}
	if search != nil && *search != "" {
		preds = append(preds, userSearch(*search))
	}
	return preds, nil
}

// userSearch matches users whose username, names or email contain text,
// ignoring case.
func userSearch(text string) predicate.User {
	return reports.SearchUsers(text)
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
