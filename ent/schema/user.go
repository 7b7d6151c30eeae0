package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"accountd/internal/account"
	"accountd/internal/authz"
)

// User is an account that accountd administers.
type User struct {
	ent.Schema
}

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").
			MaxLen(account.UsernameMaxLen).
			Validate(account.ValidateUsername).
			Comment("The name the user logs in with; unique regardless of case.").
			Annotations(entgql.OrderField("USERNAME")),
		field.String("username_normalized").
			Unique().
			Comment("The lower-case username that uniqueness is enforced on.").
			Annotations(entgql.Skip()),
		field.Enum("user_type").
			Values("LOCAL", "LDAP", "SSO").
			Default("LOCAL").
			Comment("Where the user's credentials live; only LOCAL users have a password here.").
			Annotations(entgql.Type("UserType")),
		field.String("first_name").
			Default("").
			Validate(account.ValidateName).
			Comment("The user's given name.").
			Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").
			Default("").
			Validate(account.ValidateName).
			Comment("The user's family name.").
			Annotations(entgql.OrderField("LAST_NAME")),
		field.String("email").
			Validate(account.ValidateEmail).
			Comment("The address that notifications, reset links and 2FA keys go to.").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("mobile").
			Optional().
			Nillable().
			Validate(account.ValidatePhone).
			Comment("Mobile number: an optional + and 6 to 20 digits."),
		field.String("phone").
			Optional().
			Nillable().
			Validate(account.ValidatePhone).
			Comment("Phone number: an optional + and 6 to 20 digits."),
		field.JSON("profile", map[string]string{}).
			Default(map[string]string{}).
			Comment("Free-form profile values, at most 50 entries.").
			Annotations(entgql.Type("StringMap")),
		field.Enum("status").
			GoType(account.Status("")).
			Default(string(account.StatusActive)).
			Comment("Where the account stands in its lifecycle.").
			Annotations(entgql.Type("AccountStatus"), entgql.OrderField("STATUS")),
		field.String("status_reason").
			Optional().
			Nillable().
			MaxLen(1024).
			Comment("Why the account was last moved to its status."),
		field.Time("status_changed_at").
			Optional().
			Nillable().
			Comment("When the status last changed."),
		field.Time("locked_until").
			Optional().
			Nillable().
			Comment("End of a temporary lock; set only while LOCKED_TEMPORARILY."),
		field.Bool("must_change_password").
			Default(false).
			Comment("Whether the user must choose a new password at the next login."),
		field.Bool("two_factor_required").
			Default(false).
			Comment("Whether the user must use a TOTP second factor."),
		field.Int("failed_login_attempts").
			Default(0).
			NonNegative().
			Comment("Failed logins since the last successful one."),
		field.Int("consecutive_lockouts").
			Default(0).
			NonNegative().
			Comment("Temporary lockouts in a row; reaching the limit locks for good.").
			Annotations(entgql.Skip()),
		field.Time("last_login_at").
			Optional().
			Nillable().
			Comment("When the user last logged in successfully.").
			Annotations(entgql.OrderField("LAST_LOGIN_AT")),
		field.Time("password_changed_at").
			Optional().
			Nillable().
			Comment("When the password was last set."),
		field.String("password_hash").
			Optional().
			Nillable().
			Sensitive().
			Comment("The argon2id hash of the password, parameters included.").
			Annotations(entgql.Skip()),
		field.JSON("password_history", []string{}).
			Optional().
			Sensitive().
			Comment("Hashes of the previous passwords, newest first.").
			Annotations(entgql.Skip()),
		field.Int("version").
			Default(1).
			Positive().
			Comment("Incremented by every change; pass it as expectedVersion to detect conflicts."),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("roles", Role.Type).
			Through("role_assignments", RoleAssignment.Type).
			Comment("The roles the user holds, expired ones included."),
		edge.To("groups", Group.Type).
			Through("group_memberships", GroupMembership.Type).
			Comment("The groups the user belongs to, expired memberships included."),
		edge.To("organizations", Organization.Type).
			Comment("The organizations the user belongs to."),
		edge.To("form_spaces", FormSpace.Type).
			Comment("The form spaces the user may work in."),
		edge.To("two_factor_key", TwoFactorKey.Type).
			Unique().
			Annotations(entgql.Skip()),
		edge.To("sessions", Session.Type).
			Annotations(entgql.Skip()),
		edge.To("password_reset_tokens", PasswordResetToken.Type).
			Annotations(entgql.Skip()),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("status"),
		index.Fields("email"),
		index.Fields("last_name", "first_name"),
		index.Fields("locked_until"),
		index.Fields("last_login_at"),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().
			Description("Lists the users the caller may see.").
			Directives(requires(authz.UsersRead)),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}

// Hooks of the User.
func (User) Hooks() []ent.Hook {
	return []ent.Hook{normalizeUsername}
}
