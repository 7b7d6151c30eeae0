package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	gomail "github.com/wneessen/go-mail"

	"accountd/ent"
	"accountd/ent/outboxmessage"
	"accountd/ent/predicate"
	"accountd/internal/clock"
)

// Retry timing of the dispatcher.
const (
	// Lease is how long a dispatcher holds a message it is sending; another
	// instance takes it over only after that.
	Lease = 2 * time.Minute
	// FirstRetry is the wait after the first failed attempt; it doubles
	// with every further failure up to MaxRetry.
	FirstRetry = 30 * time.Second
	// MaxRetry caps the wait between attempts.
	MaxRetry = time.Hour
	// batchSize is how many messages one pass claims at most.
	batchSize = 50
)

// Dispatcher delivers the outbox. Several dispatchers may share one
// database: each message is claimed with a conditional update that only
// one of them wins, so none is sent twice by two instances at once.
type Dispatcher struct {
	client *ent.Client
	clock  clock.Clock
	sender Sender
	from   string
	logger *slog.Logger
}

// NewDispatcher returns a dispatcher that sends from the address from.
func NewDispatcher(client *ent.Client, clk clock.Clock, sender Sender, from string,
	logger *slog.Logger) *Dispatcher {
	return &Dispatcher{client: client, clock: clk, sender: sender, from: from, logger: logger}
}

// Backoff returns the wait before the next attempt after attempts failures.
func Backoff(attempts int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

// DeliverDue sends every message that is due and returns how many were
// sent. A message that failed is kept with its error and retried later,
// unless it can never be delivered: then it ends FAILED.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	now := d.clock.Now().UTC()
	due, err := d.client.OutboxMessage.Query().
		Where(available(now)...).
		Order(outboxmessage.ByNextAttemptAt(), outboxmessage.ByID()).
		Limit(batchSize).
		IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: listing due messages: %w", err)
	}
	sent := 0
	for _, id := range due {
		m, err := d.claim(ctx, id, now)
		if err != nil {
			return sent, err
		}
		if m == nil {
			continue
		}
		if err := d.deliver(ctx, m, now); err != nil {
			return sent, err
		}
		if m.Status == outboxmessage.StatusSENT {
			sent++
		}
	}
	return sent, nil
}

// available matches the messages a dispatcher may claim at now: pending,
// due, and not leased by another dispatcher.
func available(now time.Time) []predicate.OutboxMessage {
	return []predicate.OutboxMessage{
		outboxmessage.StatusEQ(outboxmessage.StatusPENDING),
		outboxmessage.NextAttemptAtLTE(now),
		outboxmessage.Or(outboxmessage.LeaseUntilIsNil(), outboxmessage.LeaseUntilLT(now)),
	}
}

// claim leases message id for this dispatcher and counts the attempt; it
// returns nil when another dispatcher was faster.
func (d *Dispatcher) claim(ctx context.Context, id int, now time.Time) (*ent.OutboxMessage, error) {
	n, err := d.client.OutboxMessage.Update().
		Where(append(available(now), outboxmessage.ID(id))...).
		SetLeaseUntil(now.Add(Lease)).
		AddAttempts(1).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox: claiming message %d: %w", id, err)
	}
	if n == 0 {
		return nil, nil
	}
	return d.client.OutboxMessage.Get(ctx, id)
}

// deliver sends a claimed message and records the outcome.
func (d *Dispatcher) deliver(ctx context.Context, m *ent.OutboxMessage, now time.Time) error {
	msg, err := compose(d.from, m)
	if err == nil {
		err = d.sender.Send(ctx, m.ID, msg)
	}
	upd := d.client.OutboxMessage.UpdateOneID(m.ID).
		Where(outboxmessage.LeaseUntilEQ(*m.LeaseUntil)).
		ClearLeaseUntil()
	switch {
	case err != nil && undeliverable(err):
		m.Status = outboxmessage.StatusFAILED
		d.logger.ErrorContext(ctx, "email refused for good, not retried", "message_id", m.ID,
			"kind", m.Kind, "attempts", m.Attempts, "error", err)
		upd.SetStatus(outboxmessage.StatusFAILED).SetLastError(truncate(err.Error(), 1000))
	case err != nil:
		wait := Backoff(m.Attempts)
		d.logger.WarnContext(ctx, "email not delivered", "message_id", m.ID, "kind", m.Kind,
			"attempts", m.Attempts, "retry_in", wait.String(), "error", err)
		upd.SetLastError(truncate(err.Error(), 1000)).SetNextAttemptAt(now.Add(wait))
	default:
		m.Status = outboxmessage.StatusSENT
		upd.SetStatus(outboxmessage.StatusSENT).SetSentAt(now).SetLastError("")
	}
	if err := upd.Exec(ctx); err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("outbox: recording delivery of message %d: %w", m.ID, err)
	}
	return nil
}

// errBadRecipient marks a message whose recipient is no email address.
var errBadRecipient = errors.New("recipient address")

// undeliverable reports whether err means that the message will never be
// accepted: its recipient is no address, or the SMTP server refused the
// recipient or the content with a permanent (5xx) reply. Anything else —
// no connection, a refused login or sender, a temporary (4xx) reply — can
// pass once the server or the configuration is fixed, and is retried.
func undeliverable(err error) bool {
	if errors.Is(err, errBadRecipient) {
		return true
	}
	var se *gomail.SendError
	if !errors.As(err, &se) || se.ErrorCode() < 500 || se.ErrorCode() > 599 {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return true
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
