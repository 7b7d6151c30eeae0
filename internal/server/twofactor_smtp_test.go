package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"accountd/internal/authz"
	"accountd/internal/outbox"
	"accountd/internal/testdb"
	"accountd/internal/twofactor"
)

// smtpBox is an in-process SMTP server that keeps the raw messages.
type smtpBox struct {
	mu       sync.Mutex
	messages [][]byte
}

func (b *smtpBox) NewSession(*smtp.Conn) (smtp.Session, error) { return boxSession{b}, nil }

type boxSession struct{ box *smtpBox }

func (boxSession) Reset()                               {}
func (boxSession) Logout() error                        { return nil }
func (boxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (boxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s boxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.messages = append(s.box.messages, raw)
	return nil
}

func startSMTP(t *testing.T, box *smtpBox) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// mimeParts walks a MIME entity and returns its leaf parts, decoded, with
// their content types.
func mimeParts(t *testing.T, header map[string][]string, body io.Reader) (types []string, parts [][]byte) {
	t.Helper()
	get := func(k string) string {
		if v := header[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	mediaType, params, err := mime.ParseMediaType(get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", get("Content-Type"), err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return types, parts
			}
			if err != nil {
				t.Fatal(err)
			}
			ts, ps := mimeParts(t, p.Header, p)
			types, parts = append(types, ts...), append(parts, ps...)
		}
	}
	switch strings.ToLower(get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return []string{mediaType}, [][]byte{data}
}

// TestTwoFactorEmailThroughSMTP delivers the enrolment email through a real
// SMTP conversation and enrols from what arrives, as a user would.
func TestTwoFactorEmailThroughSMTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		grace := env.eligibleUser(t, "grace")
		if p := env.keyMutation(t, env.api, "createTwoFactorKey", grace.ID); len(p.UserErrors) > 0 {
			t.Fatal(p.codes())
		}

		box := &smtpBox{}
		sender, err := outbox.NewSMTPSender("smtp://" + startSMTP(t, box))
		if err != nil {
			t.Fatal(err)
		}
		d := outbox.NewDispatcher(env.db.Client, env.clk, sender, "accountd@example.com",
			slog.New(slog.DiscardHandler))
		if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("DeliverDue = %d, %v; want 1 email", n, err)
		}
		box.mu.Lock()
		raw := box.messages
		box.mu.Unlock()
		if len(raw) != 1 {
			t.Fatalf("%d emails arrived, want 1", len(raw))
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw[0]))
		if err != nil {
			t.Fatal(err)
		}
		if to := msg.Header.Get("To"); !strings.Contains(to, "grace@example.com") {
			t.Fatalf("To = %q", to)
		}
		types, parts := mimeParts(t, msg.Header, msg.Body)
		var text, html string
		var pngs [][]byte
		for i, ty := range types {
			switch ty {
			case "text/plain":
				text = string(parts[i])
			case "text/html":
				html = string(parts[i])
			case "image/png":
				pngs = append(pngs, parts[i])
			}
		}
		uri, link := uriPattern.FindString(text), linkPattern.FindString(text)
		if uri == "" || link == "" || !strings.Contains(html, "cid:") || len(pngs) != 2 {
			t.Fatalf("the email lacks a part: %v, URI %q, link %q", types, uri, link)
		}
		for _, p := range pngs {
			if got := decodeQR(t, p); got != uri {
				t.Fatalf("the QR code holds %q, the text %q", got, uri)
			}
		}
		parsed, err := url.Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		secret := parsed.Query().Get("secret")
		l, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		first := code(t, secret, env.clk.Now())
		if p := env.confirm(t, l.Query().Get("token"), first); len(p.UserErrors) > 0 ||
			p.User.TwoFactor.State != "CONFIGURED" {
			t.Fatalf("confirming from the email: %+v", p)
		}
		if got := env.login(t, "grace", ""); got != "INVALID_CREDENTIALS" {
			t.Fatalf("login without a code gave %q", got)
		}
		if got := env.login(t, "grace", first); got != "INVALID_CREDENTIALS" {
			t.Fatalf("login with the replayed confirmation code gave %q", got)
		}
		env.clk.Advance(twofactor.Period)
		if got := env.login(t, "grace", code(t, secret, env.clk.Now())); got != "" {
			t.Fatalf("login with a fresh code gave %q", got)
		}
	})
}
