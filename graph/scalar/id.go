package scalar

import (
	"encoding/base64"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// idPrefix marks accountd's global IDs and versions their encoding.
const idPrefix = "acc1:"

// ErrMalformedID is returned for a string that is not an ID this server
// issued. The API reports it as BAD_REQUEST.
var ErrMalformedID = &InputError{msg: "malformed ID: use an ID this API returned"}

// EncodeID returns the opaque global ID of the row with key id. Keys are
// unique across tables, so the ID needs no type name.
func EncodeID(id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(idPrefix + strconv.Itoa(id)))
}

// DecodeID returns the key behind an opaque global ID.
func DecodeID(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, ErrMalformedID
	}
	digits, ok := strings.CutPrefix(string(raw), idPrefix)
	if !ok {
		return 0, ErrMalformedID
	}
	id, err := strconv.Atoi(digits)
	if err != nil || id <= 0 || strconv.Itoa(id) != digits {
		return 0, ErrMalformedID
	}
	return id, nil
}

// MarshalID writes a key as an opaque global ID.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(EncodeID(id)))
	})
}

// UnmarshalID reads an opaque global ID.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, ErrMalformedID
	}
	return DecodeID(s)
}
