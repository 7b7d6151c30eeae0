package server

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"accountd/internal/admin"
	"accountd/internal/auth"
	"accountd/internal/ratelimit"
	"accountd/internal/twofactor"
)

//go:embed templates/page.html
var pageFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(pageFiles, "templates/page.html"))

// pageView is what a link page shows: a form, a success or the errors.
type pageView struct {
	Kind, Title, Action, Token string
	Success, ErrorIntro        string
	Errors                     []string
	ShowForm                   bool
}

// linkPages serves the pages of the emailed links: the confirmation of a
// two-factor key and the choice of a password. They need no JavaScript
// and load nothing from elsewhere.
type linkPages struct {
	svc    *admin.Service
	auth   *auth.Service
	logger *slog.Logger
}

func (p linkPages) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+twofactor.ConfirmPath, p.form(p.confirmView))
	mux.HandleFunc("POST "+twofactor.ConfirmPath, p.confirm)
	mux.HandleFunc("GET /password/reset", p.form(p.passwordView))
	mux.HandleFunc("POST /password/reset", p.resetPassword)
}

func (p linkPages) confirmView(token string) pageView {
	return pageView{Kind: "2fa", Title: "Confirm two-factor authentication",
		Action: twofactor.ConfirmPath, Token: token, ShowForm: true,
		ErrorIntro: "The key was not confirmed:"}
}

func (p linkPages) passwordView(token string) pageView {
	return pageView{Kind: "password", Title: "Choose your password", Action: "/password/reset",
		Token: token, ShowForm: true, ErrorIntro: "The password was not changed:"}
}

// form serves the page of a link as the email opens it: the form of view,
// with the link's token.
func (p linkPages) form(view func(token string) pageView) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("token")
		v := view(token)
		if token == "" {
			v.ShowForm, v.Errors = false, []string{"the link has no token: open the whole link from the email"}
		}
		p.render(w, r, http.StatusOK, v)
	}
}

func (p linkPages) confirm(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	v := p.confirmView(token)
	_, err := p.svc.ConfirmTwoFactorKey(r.Context(), admin.ConfirmTwoFactorInput{
		Token: token, Code: r.PostFormValue("code"), ClientAddress: clientAddress(r)})
	p.finish(w, r, v, err,
		"Two-factor authentication is set up. From now on, enter a code from your app each time you log in.")
}

func (p linkPages) resetPassword(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	v := p.passwordView(token)
	pw, again := r.PostFormValue("password"), r.PostFormValue("confirm")
	switch {
	case pw == "":
		v.Errors = []string{"enter the new password"}
	case pw != again:
		v.Errors = []string{"the two passwords differ: type the same password twice"}
	}
	if v.Errors != nil {
		p.render(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	err := p.auth.Limiter().Allow("address:" + clientAddress(r))
	if err == nil {
		ctx := auth.WithClient(r.Context(), auth.Client{Address: clientAddress(r)})
		_, err = p.svc.CompletePasswordReset(ctx, token, pw)
	}
	p.finish(w, r, v, err, "Your password is set. You can log in with it now.")
}

// finish shows the outcome of a submitted form: success when err is nil,
// else the errors, with the form again while the link can still work.
func (p linkPages) finish(w http.ResponseWriter, r *http.Request, v pageView, err error, success string) {
	if err == nil {
		v.ShowForm, v.Success = false, success
		p.render(w, r, http.StatusOK, v)
		return
	}
	status, msgs, tokenDead := p.failure(r, err)
	v.Errors, v.ShowForm = msgs, !tokenDead
	p.render(w, r, status, v)
}

// failure turns an error of the service into the messages of the page, and
// tells whether the link can no longer work.
func (p linkPages) failure(r *http.Request, err error) (status int, msgs []string, tokenDead bool) {
	if ie, ok := admin.AsInputError(err); ok {
		for _, pr := range ie.Problems {
			msgs = append(msgs, pr.Message)
			if pr.Code == admin.CodeInvalidToken {
				tokenDead = true
			}
		}
		return http.StatusUnprocessableEntity, msgs, tokenDead
	}
	var limited *ratelimit.Exceeded
	if errors.As(err, &limited) {
		return http.StatusTooManyRequests, []string{limited.Error()}, false
	}
	p.logger.ErrorContext(r.Context(), "link page failed", "path", r.URL.Path, "error", err)
	return http.StatusInternalServerError,
		[]string{"something went wrong on our side; try again in a moment"}, false
}

func (p linkPages) render(w http.ResponseWriter, r *http.Request, status int, v pageView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy",
		"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, v); err != nil {
		p.logger.ErrorContext(r.Context(), "rendering a link page", "error", err)
	}
}
