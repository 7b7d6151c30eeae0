package sweeper

import (
	"context"
	"time"

	"accountd/ent/passwordresettoken"
	"accountd/ent/session"
)

// TokenRetention is how long ended sessions and spent reset tokens are kept
// before the sweeper deletes them: long enough to answer "why was I logged
// out?", short enough that the tables do not grow without bound.
const TokenRetention = 7 * 24 * time.Hour

// PurgeEndedTokens deletes sessions that expired or were revoked, and
// password reset tokens that expired or were used, more than
// TokenRetention ago. Deleting is idempotent, so instances racing on the
// same rows do no harm.
func (s *Sweeper) PurgeEndedTokens(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-TokenRetention)
	sessions, err := s.client.Session.Delete().Where(session.Or(
		session.ExpiresAtLT(cutoff),
		session.RevokedAtLT(cutoff),
	)).Exec(ctx)
	if err != nil {
		return 0, err
	}
	tokens, err := s.client.PasswordResetToken.Delete().Where(passwordresettoken.Or(
		passwordresettoken.ExpiresAtLT(cutoff),
		passwordresettoken.UsedAtLT(cutoff),
	)).Exec(ctx)
	return sessions + tokens, err
}
