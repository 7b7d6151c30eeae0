package admin

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the kind of a user error; the GraphQL enum UserErrorCode spells
// the same values.
type Code string

// The codes of the user errors the service returns.
const (
	CodeInvalidValue            Code = "INVALID_VALUE"
	CodeRequired                Code = "REQUIRED"
	CodeNotFound                Code = "NOT_FOUND"
	CodeVersionConflict         Code = "VERSION_CONFLICT"
	CodeInvalidStatusTransition Code = "INVALID_STATUS_TRANSITION"
	CodeDuplicate               Code = "DUPLICATE"
	CodeInUse                   Code = "IN_USE"
	CodeExpiryInPast            Code = "EXPIRY_IN_PAST"
	CodeTooLong                 Code = "TOO_LONG"
	CodeForbiddenGrant          Code = "FORBIDDEN_GRANT"
	CodeLastAdministrator       Code = "LAST_ADMINISTRATOR"
	CodeTooManyItems            Code = "TOO_MANY_ITEMS"
	CodeInvalidToken            Code = "INVALID_TOKEN"
	CodeBuiltin                 Code = "BUILTIN"
)

// FieldError is one problem with the input that the caller can fix.
type FieldError struct {
	// Field is the path of the input field at fault, such as
	// ["input", "email"]; empty when the problem is the whole input.
	Field []string
	// Code says what kind of problem it is.
	Code Code
	// Message says what is wrong, for people.
	Message string
}

// InputError is returned by every operation refused for its input; nothing
// was written.
type InputError struct {
	// Problems lists every problem found, at least one.
	Problems []FieldError
}

// Error returns the messages of the problems.
func (e *InputError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return "admin: " + strings.Join(msgs, "; ")
}

// AsInputError returns the InputError err wraps, if any.
func AsInputError(err error) (*InputError, bool) {
	var ie *InputError
	ok := errors.As(err, &ie)
	return ie, ok
}

// problems collects the problems of an input before anything is written.
type problems struct{ list []FieldError }

func (p *problems) add(code Code, msg string, field ...string) {
	p.list = append(p.list, FieldError{Field: inputPath(field), Code: code, Message: msg})
}

func (p *problems) addf(code Code, field string, format string, args ...any) {
	p.add(code, fmt.Sprintf(format, args...), field)
}

// err returns the problems as an InputError, or nil when there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &InputError{Problems: p.list}
}

// refuse returns an InputError with one problem.
func refuse(code Code, msg string, field ...string) error {
	return &InputError{Problems: []FieldError{{Field: inputPath(field), Code: code, Message: msg}}}
}

func inputPath(field []string) []string {
	if len(field) == 0 {
		return nil
	}
	return append([]string{"input"}, field...)
}

// maxLen adds a TOO_LONG problem when value is longer than max characters.
func (p *problems) maxLen(field, value string, max int) {
	if len([]rune(value)) > max {
		p.addf(CodeTooLong, field, "%s is at most %d characters long", field, max)
	}
}

// required adds a REQUIRED problem when value is blank.
func (p *problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		p.addf(CodeRequired, field, "%s must be given", field)
	}
}
