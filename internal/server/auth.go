package server

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/logging"
)

// authenticate puts the caller into the request context: the actor of a
// valid bearer token, or no actor with the reason recorded, so that the
// operations that need a session answer UNAUTHENTICATED and public ones
// (login) still work. The client's address goes into the context for rate
// limiting.
func authenticate(svc *auth.Service, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auth.WithClient(r.Context(), auth.Client{
			Address:   clientAddress(r),
			UserAgent: r.UserAgent(),
		})
		header := r.Header.Get("Authorization")
		if header == "" {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		scheme, token, found := strings.Cut(header, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			next.ServeHTTP(w, r.WithContext(auth.WithFailure(ctx, auth.ErrMalformedToken)))
			return
		}
		actor, err := svc.Authenticate(ctx, strings.TrimSpace(token))
		switch {
		case errors.Is(err, auth.ErrMalformedToken), errors.Is(err, auth.ErrInvalidSession):
			ctx = auth.WithFailure(ctx, err)
		case err != nil:
			logger.ErrorContext(ctx, "authenticating a request failed", "error", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL",
				"internal error; quote request id "+logging.RequestID(ctx))
			return
		default:
			ctx = authz.WithActor(ctx, actor)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// clientAddress is the IP address of the peer. Forwarding headers are not
// trusted: behind a proxy, all callers share the proxy's address.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
