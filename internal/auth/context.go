package auth

import "context"

// Client describes where a request comes from.
type Client struct {
	// Address is the client's IP address as the server sees it.
	Address string
	// UserAgent is the User-Agent header.
	UserAgent string
}

type clientKey struct{}

type failureKey struct{}

// WithClient returns a context carrying the client of the request.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client of the request; empty outside requests.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// WithFailure returns a context recording why the request's credentials
// were refused (ErrMalformedToken or ErrInvalidSession), so that an
// operation that needs a session can say why there is none.
func WithFailure(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, failureKey{}, err)
}

// FailureFrom returns the error recorded by WithFailure, or ErrNoSession.
func FailureFrom(ctx context.Context) error {
	if err, ok := ctx.Value(failureKey{}).(error); ok {
		return err
	}
	return ErrNoSession
}
