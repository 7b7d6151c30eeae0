package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/predicate"
	"accountd/ent/user"
	"accountd/graph/scalar"
	"accountd/internal/account"
	"accountd/internal/authz"
	"accountd/internal/logging"
	"accountd/internal/reports"
)

// errBadParameter marks a query parameter an export cannot use.
var errBadParameter = errors.New("bad parameter")

// exportHandler streams a CSV export named filename to a caller holding
// perm; run reads the query parameters and writes the rows. A bad
// parameter is refused with 400 before any row is sent.
func exportHandler(client *ent.Client, logger *slog.Logger, perm authz.Permission,
	filename string, run func(r *http.Request, e *reports.Export) (int, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a, ok := authz.ActorFrom(ctx)
		switch {
		case !ok:
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED",
				"exports need a session: send the token as Authorization: Bearer <token>")
			return
		case a.MustChangePassword:
			writeError(w, http.StatusForbidden, "FORBIDDEN",
				"the password must be changed first, with changePassword")
			return
		case !a.Has(perm):
			writeError(w, http.StatusForbidden, "FORBIDDEN",
				"this export needs the permission "+string(perm))
			return
		}

		flusher, _ := w.(http.Flusher)
		started := false
		export := reports.NewExport(startOnWrite(w, filename, &started), func() {
			if flusher != nil {
				flusher.Flush()
			}
		}, scalar.EncodeID)
		n, err := run(r, export)
		switch {
		case errors.Is(err, errBadParameter) && !started:
			writeError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		case err != nil && ctx.Err() == nil:
			// Once rows are out, the status is sent; a cut-off body is
			// all a client can notice.
			logger.ErrorContext(ctx, "export failed", "export", filename, "rows", n,
				"error", err)
			if !started {
				writeError(w, http.StatusInternalServerError, "INTERNAL",
					"internal error; quote request id "+logging.RequestID(ctx))
			}
		}
	})
}

// startOnWrite sets the CSV headers just before the first byte goes out,
// so that a refused filter can still answer with an error status.
func startOnWrite(w http.ResponseWriter, filename string, started *bool) writerFunc {
	return func(p []byte) (int, error) {
		if !*started {
			*started = true
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
		}
		return w.Write(p)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// exportUsers writes the users matching the parameters status (repeated
// or comma-separated), userType, search and twoFactorRequired.
func exportUsers(client *ent.Client) func(r *http.Request, e *reports.Export) (int, error) {
	return func(r *http.Request, e *reports.Export) (int, error) {
		preds, err := userParams(r.URL.Query())
		if err != nil {
			return 0, err
		}
		return e.Users(r.Context(), client, preds...)
	}
}

func userParams(q url.Values) ([]predicate.User, error) {
	var preds []predicate.User
	var statuses []account.Status
	for _, v := range q["status"] {
		for _, s := range splitComma(v) {
			if !account.Status(s).IsValid() {
				return nil, fmt.Errorf("%w: status %q is not an account status", errBadParameter, s)
			}
			statuses = append(statuses, account.Status(s))
		}
	}
	if len(statuses) > 0 {
		preds = append(preds, user.StatusIn(statuses...))
	}
	if v := q.Get("userType"); v != "" {
		t := user.UserType(v)
		if err := user.UserTypeValidator(t); err != nil {
			return nil, fmt.Errorf("%w: userType %q is not a user type", errBadParameter, v)
		}
		preds = append(preds, user.UserTypeEQ(t))
	}
	if v := q.Get("twoFactorRequired"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%w: twoFactorRequired must be true or false", errBadParameter)
		}
		preds = append(preds, user.TwoFactorRequired(b))
	}
	if v := q.Get("search"); v != "" {
		preds = append(preds, reports.SearchUsers(v))
	}
	return preds, nil
}

// exportAudit writes the audit events matching the parameters actorId,
// targetType, targetId, action, occurredAfter and occurredBefore.
func exportAudit(client *ent.Client) func(r *http.Request, e *reports.Export) (int, error) {
	return func(r *http.Request, e *reports.Export) (int, error) {
		preds, err := auditParams(r.URL.Query())
		if err != nil {
			return 0, err
		}
		return e.AuditEvents(r.Context(), client, preds...)
	}
}

func auditParams(q url.Values) ([]predicate.AuditEvent, error) {
	var preds []predicate.AuditEvent
	for _, p := range []struct {
		name string
		pred func(int) predicate.AuditEvent
	}{
		{"actorId", auditevent.ActorID},
		{"targetId", auditevent.TargetID},
	} {
		if v := q.Get(p.name); v != "" {
			id, err := scalar.DecodeID(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s is not an ID this API returned", errBadParameter, p.name)
			}
			preds = append(preds, p.pred(id))
		}
	}
	if v := q.Get("targetType"); v != "" {
		preds = append(preds, auditevent.TargetType(v))
	}
	if v := q.Get("action"); v != "" {
		preds = append(preds, auditevent.Action(v))
	}
	for _, p := range []struct {
		name string
		pred func(time.Time) predicate.AuditEvent
	}{
		{"occurredAfter", auditevent.OccurredAtGTE},
		{"occurredBefore", auditevent.OccurredAtLT},
	} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s must be an RFC 3339 time", errBadParameter, p.name)
			}
			preds = append(preds, p.pred(t.UTC()))
		}
	}
	return preds, nil
}

func splitComma(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
