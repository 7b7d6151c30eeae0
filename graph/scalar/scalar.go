// Package scalar marshals the custom GraphQL scalars of accountd: opaque
// global IDs, UTC times and string maps.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalTime writes t as an RFC 3339 string in UTC.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads an RFC 3339 string; a time without an offset is refused
// rather than guessed.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErrorf("time must be an RFC 3339 string such as 2026-01-31T09:30:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, inputErrorf(fmt.Sprintf("time %q is not RFC 3339, such as 2026-01-31T09:30:00Z", s))
	}
	return t.UTC(), nil
}

// MarshalStringMap writes a map of strings as a JSON object.
func MarshalStringMap(m map[string]string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if m == nil {
			m = map[string]string{}
		}
		_ = json.NewEncoder(w).Encode(m)
	})
}

// UnmarshalStringMap reads a JSON object whose values are all strings.
func UnmarshalStringMap(v any) (map[string]string, error) {
	in, ok := v.(map[string]any)
	if !ok {
		return nil, inputErrorf("expected an object of string values")
	}
	out := make(map[string]string, len(in))
	for k, val := range in {
		s, ok := val.(string)
		if !ok {
			return nil, inputErrorf(fmt.Sprintf("value of %q must be a string", k))
		}
		out[k] = s
	}
	return out, nil
}
