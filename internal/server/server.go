// Package server wires accountd's HTTP endpoints: the GraphQL API, the
// playground, the health probes, and the middleware every request passes
// through.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"

	"accountd/graph"
	"accountd/internal/admin"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/playground"
	"accountd/internal/storage"
	"accountd/internal/twofactor"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Options configures the handler.
type Options struct {
	// Logger receives one line a request and every error.
	Logger *slog.Logger
	// Clock tells the time; the system clock when nil.
	Clock clock.Clock
	// CORSOrigins lists the browser origins allowed to call the API.
	CORSOrigins []string
	// MaxQueryDepth is the deepest selection accepted.
	MaxQueryDepth int
	// Auth logs users in and checks bearer tokens; when nil, a service with
	// the default settings is used.
	Auth *auth.Service
	// PublicURL is the base of the links in emails.
	PublicURL string
	// AdminOptions configure the service behind the mutations, such as
	// the argon2id parameters that tests lower.
	AdminOptions []admin.Option
	// QueryLimits bounds the work one GraphQL request may ask for.
	QueryLimits QueryLimits
	// Sealer encrypts two-factor secrets under the server key; the auth
	// service's when nil.
	Sealer *twofactor.Sealer
	// TOTPIssuer is the name authenticator apps show for new keys.
	TOTPIssuer string
	// PlaygroundQuery is the document the playground opens with; a first
	// page of users when empty.
	PlaygroundQuery string
}

// QueryLimits bounds the work one GraphQL request may ask for; a zero field
// takes its default.
type QueryLimits struct {
	// CostBudget is the largest operation cost accepted (50,000).
	CostBudget int
	// MaxAliases is the most aliased fields in a document (50).
	MaxAliases int
	// MaxFieldRepeats is the most times one field or fragment may appear
	// in one selection set (10).
	MaxFieldRepeats int
	// PersistedQueries is how many automatic persisted queries are
	// remembered, least recently used first out (1,000).
	PersistedQueries int
}

func (l *QueryLimits) setDefaults() {
	if l.CostBudget == 0 {
		l.CostBudget = 50_000
	}
	if l.MaxAliases == 0 {
		l.MaxAliases = 50
	}
	if l.MaxFieldRepeats == 0 {
		l.MaxFieldRepeats = 10
	}
	if l.PersistedQueries == 0 {
		l.PersistedQueries = 1000
	}
}

// New returns the HTTP handler of the whole server over db.
func New(db *storage.DB, opts Options) http.Handler {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.MaxQueryDepth == 0 {
		opts.MaxQueryDepth = 15
	}
	if opts.Auth == nil {
		opts.Auth = auth.New(db.Client, opts.Clock, auth.DefaultSettings())
	}
	if opts.Sealer == nil {
		opts.Sealer = opts.Auth.Sealer()
	}
	opts.QueryLimits.setDefaults()

	m := newMetrics()
	mux := http.NewServeMux()
	svc := adminService(db, opts)
	mux.Handle("/graphql", m.observe("graphql", graphQL(opts, db, svc)))
	linkPages{svc: svc, auth: opts.Auth, logger: opts.Logger}.register(mux)
	pg := m.observe("playground", playground.Handler(playground.Options{
		Endpoint: "/graphql",
		Query:    opts.PlaygroundQuery,
	}))
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET /playground/", pg)
	mux.Handle("GET /export/users.csv", m.observe("export", authenticate(opts.Auth, opts.Logger,
		exportHandler(db.Client, opts.Logger, authz.UsersRead, "users.csv",
			exportUsers(db.Client)))))
	mux.Handle("GET /export/audit.csv", m.observe("export", authenticate(opts.Auth, opts.Logger,
		exportHandler(db.Client, opts.Logger, authz.AuditRead, "audit.csv",
			exportAudit(db.Client)))))
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			opts.Logger.WarnContext(ctx, "database not reachable", "error", err)
			writeText(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeText(w, http.StatusOK, "ready")
	})

	c := cors.New(cors.Options{
		AllowedOrigins:   opts.CORSOrigins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "X-Request-Id"},
		ExposedHeaders:   []string{"X-Request-Id"},
		AllowCredentials: false,
		MaxAge:           600,
	})
	return requestID(accessLog(opts.Logger, recoverPanics(opts.Logger, c.Handler(mux))))
}

func graphQL(opts Options, db *storage.DB, svc *admin.Service) http.Handler {
	limits := opts.QueryLimits
	srv := handler.New(graph.NewSchema(db.Client, opts.Clock, opts.Auth, graph.WithAdmin(svc)))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](limits.PersistedQueries)})
	srv.Use(graph.CostBudget{Budget: int64(limits.CostBudget)})
	srv.Use(graph.SelectionLimits{MaxAliases: limits.MaxAliases, MaxRepeats: limits.MaxFieldRepeats})
	srv.Use(graph.DepthLimit{Max: opts.MaxQueryDepth})
	srv.AroundOperations(graph.TwoFactorLoader)
	// No request-wide transaction: every mutation of the admin service
	// runs in its own, which also holds its audit event and emails, and
	// refuses bad input before writing.
	srv.AroundFields(graph.DefaultDeny)
	srv.AroundFields(graph.PageSize)
	srv.AroundResponses(graph.NormalizeCodes)
	srv.SetErrorPresenter(graph.PresentError(opts.Logger))
	srv.SetRecoverFunc(graph.Recover(opts.Logger))
	return limitBody(validJSON(authenticate(opts.Auth, opts.Logger, srv)))
}

// adminService returns the service behind the mutations and the pages of
// the emailed links.
func adminService(db *storage.DB, opts Options) *admin.Service {
	adminOpts := []admin.Option{
		admin.WithDialect(db.Dialect),
		admin.WithSealer(opts.Sealer),
		admin.WithLimiter(opts.Auth.Limiter()),
	}
	if opts.PublicURL != "" {
		adminOpts = append(adminOpts, admin.WithPublicURL(opts.PublicURL))
	}
	if opts.TOTPIssuer != "" {
		adminOpts = append(adminOpts, admin.WithTOTPIssuer(opts.TOTPIssuer))
	}
	return admin.New(db.Client, opts.Clock, append(adminOpts, opts.AdminOptions...)...)
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}
