package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"accountd/ent"
)

// Sender delivers one composed message.
type Sender interface {
	Send(ctx context.Context, id int, msg *gomail.Msg) error
}

// compose builds the MIME message of an outbox row.
func compose(from string, m *ent.OutboxMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("sender address: %w", err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadRecipient, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.BodyHTML)
	for _, a := range m.Attachments {
		opts := []gomail.FileOption{gomail.WithFileContentType(gomail.ContentType(a.ContentType))}
		var err error
		if a.Inline {
			opts = append(opts, gomail.WithFileContentID(a.ContentID))
			err = msg.EmbedReader(a.Filename, bytes.NewReader(a.Data), opts...)
		} else {
			err = msg.AttachReader(a.Filename, bytes.NewReader(a.Data), opts...)
		}
		if err != nil {
			return nil, fmt.Errorf("attaching %s: %w", a.Filename, err)
		}
	}
	return msg, nil
}

// SMTPSender delivers through an SMTP server.
type SMTPSender struct {
	host string
	opts []gomail.Option
}

// NewSMTPSender returns a sender for smtp://user:pass@host:port (STARTTLS
// when offered) or smtps://… (TLS from the start).
func NewSMTPSender(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("outbox: the SMTP URL must look like smtp://user:pass@host:port")
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic), gomail.WithPort(25))
	case "smtps":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(465))
	default:
		return nil, errors.New("outbox: the SMTP URL must start with smtp:// or smtps://")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, errors.New("outbox: the SMTP URL has a bad port")
		}
		opts = append(opts, gomail.WithPort(port))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &SMTPSender{host: u.Hostname(), opts: opts}, nil
}

// Send delivers msg over a new connection.
func (s *SMTPSender) Send(ctx context.Context, _ int, msg *gomail.Msg) error {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// FileSender writes each message as an .eml file into a directory, for
// development without a mail server.
type FileSender struct {
	// Dir receives the files.
	Dir string
}

// Send writes msg to <Dir>/<id>.eml, replacing a file of an earlier
// attempt, so that a message appears once however often it is sent.
func (f FileSender) Send(_ context.Context, id int, msg *gomail.Msg) error {
	if err := os.MkdirAll(f.Dir, 0o750); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return err
	}
	name := filepath.Join(f.Dir, "message-"+strconv.Itoa(id)+".eml")
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
