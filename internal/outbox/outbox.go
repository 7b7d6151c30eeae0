// Package outbox queues emails as rows written in the same transaction as
// the change that causes them, and delivers them later with retries, so
// that an SMTP outage delays mail without losing or duplicating it.
package outbox

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"accountd/ent"
	"accountd/ent/schema/fieldtype"
)

//go:embed templates
var templateFS embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
)

// The kinds of email accountd sends, each with a text and an HTML template
// of the same name.
const (
	KindPasswordReset  = "password_reset"
	KindPasswordSetup  = "password_setup"
	KindExpiryReminder = "expiry_reminder"
	// KindExpiryNotice tells an organization's notification address of
	// a member's expiring access.
	KindExpiryNotice = "expiry_notice"
)

var subjects = map[string]string{
	KindPasswordReset:  "Reset your password",
	KindPasswordSetup:  "Choose your password",
	KindExpiryReminder: "Your access ends soon",
	KindExpiryNotice:   "Access of a user ends soon",
}

// Message is an email to queue.
type Message struct {
	// Kind names the template, such as password_reset.
	Kind string
	// To is the recipient's address.
	To string
	// Data fills the templates.
	Data any
	// QueuedAt is when the change happened, from the caller's clock; the
	// dispatcher may send the message from then on.
	QueuedAt time.Time
}

// Enqueue renders m and writes it to the outbox through client, which
// should be the client of the transaction making the change.
func Enqueue(ctx context.Context, client *ent.Client, m Message) error {
	subject, ok := subjects[m.Kind]
	if !ok {
		return fmt.Errorf("outbox: unknown kind %q", m.Kind)
	}
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, m.Kind+".txt", m.Data); err != nil {
		return fmt.Errorf("outbox: rendering %s: %w", m.Kind, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, m.Kind+".html", m.Data); err != nil {
		return fmt.Errorf("outbox: rendering %s: %w", m.Kind, err)
	}
	create := client.OutboxMessage.Create()
	if !m.QueuedAt.IsZero() {
		create.SetNextAttemptAt(m.QueuedAt.UTC().Truncate(time.Microsecond))
	}
	err := create.
		SetKind(m.Kind).
		SetRecipient(m.To).
		SetSubject(subject).
		SetBodyText(text.String()).
		SetBodyHTML(html.String()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox: queueing %s: %w", m.Kind, err)
	}
	return nil
}

// KindTwoFactorEnrolment is the email that delivers a new two-factor key;
// it is rendered by its sender and queued with QueueRendered.
const KindTwoFactorEnrolment = "two_factor_enrolment"

// Rendered is an email its sender has already rendered, with attachments.
type Rendered struct {
	// Kind names what the email is for, such as two_factor_enrolment.
	Kind string
	// To is the recipient's address.
	To string
	// Subject, Text and HTML are the header and the two parts.
	Subject, Text, HTML string
	// Attachments are the files it carries, inline or attached.
	Attachments []fieldtype.Attachment
	// QueuedAt is when the change happened, from the caller's clock.
	QueuedAt time.Time
}

// QueueRendered writes m to the outbox through client, which should be the
// client of the transaction making the change.
func QueueRendered(ctx context.Context, client *ent.Client, m Rendered) error {
	create := client.OutboxMessage.Create()
	if !m.QueuedAt.IsZero() {
		create.SetNextAttemptAt(m.QueuedAt.UTC().Truncate(time.Microsecond))
	}
	err := create.
		SetKind(m.Kind).
		SetRecipient(m.To).
		SetSubject(m.Subject).
		SetBodyText(m.Text).
		SetBodyHTML(m.HTML).
		SetAttachments(m.Attachments).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox: queueing %s: %w", m.Kind, err)
	}
	return nil
}
