package authz

import (
	"context"
	"slices"
	"time"
)

// SystemName is the actor name of changes accountd makes by itself: the
// sweeper, lockouts and the first start.
const SystemName = "system"

// Actor is whoever makes a request: a logged-in user with the permissions
// of their active, unexpired roles, or the system itself.
type Actor struct {
	// UserID is the caller's user; zero for the system.
	UserID int
	// Username is the caller's username at login.
	Username string
	// Permissions are those granted by the caller's active roles whose
	// assignment had not expired when the request started.
	Permissions map[Permission]bool
	// OrganizationIDs are the organizations the caller belongs to.
	OrganizationIDs []int
	// SessionID is the session the request came with; zero for the system.
	SessionID int
	// AuthenticatedAt is the last password check of the session, for the
	// step-up rule on assignment changes.
	AuthenticatedAt time.Time
	// MustChangePassword marks a caller who may only change the password,
	// log out and read itself until the password is changed.
	MustChangePassword bool
	// System marks accountd's own background work, which sees everything.
	System bool
}

// System is the actor of the sweeper, of lockouts and of bootstrapping.
var System = &Actor{Username: SystemName, System: true}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the context, if any.
func ActorFrom(ctx context.Context) (*Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(*Actor)
	return a, ok && a != nil
}

// SystemContext returns a context whose actor is the system.
func SystemContext(ctx context.Context) context.Context {
	return WithActor(ctx, System)
}

// Has reports whether the actor holds permission p; the system holds all.
func (a *Actor) Has(p Permission) bool {
	return a != nil && (a.System || a.Permissions[p])
}

// Global reports whether the actor sees users of every organization.
func (a *Actor) Global() bool {
	return a.Has(GlobalAccess)
}

// Name is the name recorded in audit events and assignments.
func (a *Actor) Name() string {
	if a == nil || a.System {
		return SystemName
	}
	return a.Username
}

// InOrganization reports whether the actor belongs to organization id.
func (a *Actor) InOrganization(id int) bool {
	return a != nil && slices.Contains(a.OrganizationIDs, id)
}
