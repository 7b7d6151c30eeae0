package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"accountd/ent"
	"accountd/graph/scalar"
	"accountd/internal/logging"
	"accountd/internal/ratelimit"
)

// The codes that top-level GraphQL errors carry in extensions.code.
const (
	CodeUnauthenticated          = "UNAUTHENTICATED"
	CodeForbidden                = "FORBIDDEN"
	CodeNotFound                 = "NOT_FOUND"
	CodeReauthenticationRequired = "REAUTHENTICATION_REQUIRED"
	CodeRateLimited              = "RATE_LIMITED"
	CodeBadRequest               = "BAD_REQUEST"
	CodeInternal                 = "INTERNAL"
)

// gqlgen's own codes for documents it cannot parse or validate.
const (
	gqlgenParseFailed      = "GRAPHQL_PARSE_FAILED"
	gqlgenValidationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// CodedError is an error meant for the client: its message is safe to show
// and its code goes to extensions.code.
type CodedError struct {
	Code    string
	Message string
	// Extensions are further entries of extensions, such as a retry hint.
	Extensions map[string]any
}

// Error returns the message.
func (e *CodedError) Error() string { return e.Message }

// BadRequest returns a BAD_REQUEST error with a message for the client.
func BadRequest(msg string) error { return &CodedError{Code: CodeBadRequest, Message: msg} }

// errNotFound is what a lookup of an unknown or invisible ID returns.
var errNotFound = &CodedError{Code: CodeNotFound, Message: "no object has this ID"}

// PresentError returns the error presenter: known errors keep a safe message
// and get their code; anything else is logged with the request id and shown
// as INTERNAL without details.
func PresentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var coded *CodedError
		var input *scalar.InputError
		var limited *ratelimit.Exceeded
		switch {
		case errors.As(err, &limited):
			// Whichever service refused, the client sees the same
			// RATE_LIMITED error with its retry hint.
			setExtension(gerr, "retryAfterSeconds", limited.RetrySeconds())
			return withCode(gerr, CodeRateLimited, limited.Error())
		case errors.As(err, &coded):
			for k, v := range coded.Extensions {
				setExtension(gerr, k, v)
			}
			return withCode(gerr, coded.Code, coded.Message)
		case errors.As(err, &input):
			return withCode(gerr, CodeBadRequest, input.Error())
		case ent.IsNotFound(err):
			return withCode(gerr, CodeNotFound, errNotFound.Message)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return withCode(gerr, CodeBadRequest, "the request was cancelled or timed out")
		}
		var unwrapped *gqlerror.Error
		if errors.As(err, &unwrapped) && unwrapped.Err == nil {
			// Errors gqlgen made itself, such as argument coercion errors,
			// describe the request and are safe to show; entgql's
			// not-found errors would show the key behind an opaque ID.
			if codeOf(gerr) == CodeNotFound {
				return withCode(gerr, CodeNotFound, errNotFound.Message)
			}
			return withCode(gerr, codeOf(gerr), gerr.Message)
		}
		logger.ErrorContext(ctx, "request failed", "error", err, "path", gerr.Path.String())
		return withCode(gerr, CodeInternal, "internal error; quote request id "+
			logging.RequestID(ctx)+" when reporting it")
	}
}

// Recover turns a panic in a resolver into an INTERNAL error and logs it.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "resolver panicked", "panic", v)
		return &CodedError{Code: CodeInternal, Message: "internal error; quote request id " +
			logging.RequestID(ctx) + " when reporting it"}
	}
}

// NormalizeCodes rewrites gqlgen's codes for unparsable or invalid documents
// to BAD_REQUEST, so every error of a response carries one of the API's
// codes.
func NormalizeCodes(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	for _, e := range resp.Errors {
		switch codeOf(e) {
		case "", gqlgenParseFailed, gqlgenValidationFailed:
			setCode(e, CodeBadRequest)
		}
	}
	return resp
}

func withCode(e *gqlerror.Error, code, msg string) *gqlerror.Error {
	e.Message = msg
	e.Err = nil
	setCode(e, code)
	if code == "" {
		setCode(e, CodeBadRequest)
	}
	return e
}

func codeOf(e *gqlerror.Error) string {
	code, _ := e.Extensions["code"].(string)
	return code
}

func setCode(e *gqlerror.Error, code string) {
	setExtension(e, "code", code)
}

func setExtension(e *gqlerror.Error, key string, v any) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[key] = v
}
