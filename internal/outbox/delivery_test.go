package outbox_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"accountd/ent/outboxmessage"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/outbox"
	"accountd/internal/password"
	"accountd/internal/testdb"
)

// mailbox is an in-process SMTP server that keeps what it receives.
type mailbox struct {
	mu       sync.Mutex
	messages []string
	addr     string
	srv      *smtp.Server
	// refuse maps recipients to the reply that refuses them.
	refuse map[string]*smtp.SMTPError
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: m}, nil }

type smtpSession struct{ box *mailbox }

func (s *smtpSession) Reset()                               {}
func (s *smtpSession) Logout() error                        { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err, ok := s.box.refuse[to]; ok {
		return err
	}
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.messages = append(s.box.messages, string(raw))
	return nil
}

// startMailbox listens on addr, or on a free port when addr is empty.
func startMailbox(t *testing.T, box *mailbox, addr string) {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	box.addr = ln.Addr().String()
	box.srv = smtp.NewServer(box)
	box.srv.Domain = "localhost"
	box.srv.AllowInsecureAuth = true
	go func() { _ = box.srv.Serve(ln) }()
	t.Cleanup(func() { _ = box.srv.Close() })
}

func (m *mailbox) received() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.messages...)
}

var tokenPattern = regexp.MustCompile(`https://accounts\.example\.com/password/reset\?token=([A-Za-z0-9_-]+)`)

func decoded(t *testing.T, raw string) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestResetEmailThroughSMTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		svc := admin.New(db.Client, clk, admin.WithDialect(db.Dialect),
			admin.WithPasswordParams(password.Params{Memory: 64, Iterations: 1, Parallelism: 1,
				SaltLen: 16, KeyLen: 32}),
			admin.WithPublicURL("https://accounts.example.com"))
		box := &mailbox{}
		startMailbox(t, box, "")
		sender, err := outbox.NewSMTPSender("smtp://" + box.addr)
		if err != nil {
			t.Fatal(err)
		}
		d := outbox.NewDispatcher(db.Client, clk, sender, "accountd@example.com",
			slog.New(slog.DiscardHandler))

		u := db.Client.User.Create().SetUsername("frank").SetEmail("frank@example.com").
			SetStatus(account.StatusActive).SaveX(ctx)
		if _, err := svc.ResetPassword(ctx, admin.ResetPasswordInput{UserID: u.ID,
			SendResetEmail: true}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := box.received()
		if len(got) != 1 {
			t.Fatalf("%d emails arrived, want 1", len(got))
		}
		body := decoded(t, got[0])
		if !strings.Contains(body, "To: <frank@example.com>") {
			t.Fatalf("email not addressed to frank:\n%s", body)
		}
		m := tokenPattern.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no reset link in:\n%s", body)
		}
		if _, err := svc.CompletePasswordReset(ctx, m[1], "Another-Solid-Passw0rd"); err != nil {
			t.Fatalf("the link does not work: %v", err)
		}
		_, err = svc.CompletePasswordReset(ctx, m[1], "Yet-Another-Passw0rd!")
		if ie, ok := admin.AsInputError(err); !ok || ie.Problems[0].Code != admin.CodeInvalidToken {
			t.Fatalf("second use: %v", err)
		}
	})
}

func TestSMTPOutageDelaysMail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()

		sender, err := outbox.NewSMTPSender("smtp://" + addr)
		if err != nil {
			t.Fatal(err)
		}
		d := outbox.NewDispatcher(db.Client, clk, sender, "accountd@example.com",
			slog.New(slog.DiscardHandler))
		err = outbox.Enqueue(ctx, db.Client, outbox.Message{Kind: outbox.KindPasswordReset,
			To: "grace@example.com", QueuedAt: clk.Now(),
			Data: map[string]string{"Name": "Grace", "Username": "grace", "ValidFor": "24 hours",
				"Link": "https://accounts.example.com/password/reset?token=x"}})
		if err != nil {
			t.Fatal(err)
		}

		for attempt := 1; attempt <= 3; attempt++ {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			m := db.Client.OutboxMessage.Query().OnlyX(ctx)
			if m.Status != outboxmessage.StatusPENDING || m.Attempts != attempt || m.LastError == "" {
				t.Fatalf("after attempt %d: status %s, attempts %d, error %q", attempt,
					m.Status, m.Attempts, m.LastError)
			}
			if sent, _ := d.DeliverDue(ctx); sent != 0 {
				t.Fatal("a message was retried before its backoff passed")
			}
			clk.Advance(outbox.Backoff(attempt))
		}

		box := &mailbox{}
		startMailbox(t, box, addr)
		if sent, err := d.DeliverDue(ctx); err != nil || sent != 1 {
			t.Fatalf("sent %d, err %v", sent, err)
		}
		if sent, _ := d.DeliverDue(ctx); sent != 0 {
			t.Fatal("the message was sent twice")
		}
		if n := len(box.received()); n != 1 {
			t.Fatalf("%d emails arrived, want 1", n)
		}
		m := db.Client.OutboxMessage.Query().OnlyX(ctx)
		if m.Status != outboxmessage.StatusSENT || m.Attempts != 4 {
			t.Fatalf("status %s, attempts %d", m.Status, m.Attempts)
		}
	})
}

// TestRefusedMailFails checks that a recipient the SMTP server refuses for
// good, or no address at all, ends FAILED after one attempt, while a
// temporary refusal is retried.
func TestRefusedMailFails(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		box := &mailbox{refuse: map[string]*smtp.SMTPError{
			"gone@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message: "no such mailbox"},
			"busy@example.com": {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
				Message: "try again later"},
		}}
		startMailbox(t, box, "")
		sender, err := outbox.NewSMTPSender("smtp://" + box.addr)
		if err != nil {
			t.Fatal(err)
		}
		d := outbox.NewDispatcher(db.Client, clk, sender, "accountd@example.com",
			slog.New(slog.DiscardHandler))
		ids := map[string]int{}
		for _, to := range []string{"gone@example.com", "busy@example.com", "ok@example.com", "no address"} {
			m := db.Client.OutboxMessage.Create().SetKind(outbox.KindPasswordReset).SetRecipient(to).
				SetSubject("Reset").SetBodyText("text").SetBodyHTML("<p>html</p>").
				SetNextAttemptAt(clk.Now()).SaveX(ctx)
			ids[to] = m.ID
		}
		check := func(round int, to string, status outboxmessage.Status, attempts int, errPart string) {
			t.Helper()
			m := db.Client.OutboxMessage.GetX(ctx, ids[to])
			if m.Status != status || m.Attempts != attempts || !strings.Contains(m.LastError, errPart) {
				t.Fatalf("round %d, %s: status %s, attempts %d, error %q; want %s, %d, %q", round, to,
					m.Status, m.Attempts, m.LastError, status, attempts, errPart)
			}
		}
		for round := 1; round <= 2; round++ {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			check(round, "gone@example.com", outboxmessage.StatusFAILED, 1, "550")
			check(round, "no address", outboxmessage.StatusFAILED, 1, "recipient address")
			check(round, "busy@example.com", outboxmessage.StatusPENDING, round, "451")
			check(round, "ok@example.com", outboxmessage.StatusSENT, 1, "")
			clk.Advance(outbox.Backoff(round))
		}
		if n := len(box.received()); n != 1 {
			t.Fatalf("%d emails arrived, want 1", n)
		}
	})
}

func TestFileSenderWritesEML(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		dir := t.TempDir()
		clk := clock.NewManual(time.Now().UTC())
		d := outbox.NewDispatcher(db.Client, clk, outbox.FileSender{Dir: dir},
			"accountd@localhost", slog.New(slog.DiscardHandler))
		err := outbox.Enqueue(ctx, db.Client, outbox.Message{Kind: outbox.KindPasswordSetup,
			To: "heidi@example.com", QueuedAt: clk.Now(),
			Data: map[string]string{"Name": "Heidi", "Username": "heidi", "ValidFor": "72 hours",
				"Link": "https://accounts.example.com/password/reset?token=y"}})
		if err != nil {
			t.Fatal(err)
		}
		if sent, err := d.DeliverDue(ctx); err != nil || sent != 1 {
			t.Fatalf("sent %d, err %v", sent, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		if len(files) != 1 {
			t.Fatalf("%d .eml files", len(files))
		}
		raw, _ := os.ReadFile(files[0])
		if !bytes.Contains(raw, []byte("Subject: Choose your password")) {
			t.Fatalf("unexpected file:\n%s", raw)
		}
	})
}
