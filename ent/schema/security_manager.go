package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// SecurityManager holds the login, lockout and password rules that apply to
// the form spaces it authenticates; the default one governs this API.
type SecurityManager struct {
	ent.Schema
}

// Mixin of the SecurityManager.
func (SecurityManager) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}}
}

// Fields of the SecurityManager.
func (SecurityManager) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Unique().
			NotEmpty().
			MaxLen(128).
			Comment("The security manager's unique name.").
			Annotations(entgql.OrderField("NAME")),
		field.Bool("is_default").
			Default(false).
			Comment("Whether this is the default security manager; exactly one is."),
		field.Bool("two_factor_enabled").
			Default(false).
			Comment("Whether users of its form spaces may enrol a TOTP key."),
		field.Int("failed_login_limit").
			Default(5).
			Range(1, 100).
			Comment("Failed logins in a row that lock an account temporarily."),
		field.Int("lockout_duration_seconds").
			Default(15*60).
			Range(1, 7*24*60*60).
			Comment("How long a temporary lock lasts, in seconds."),
		field.Int("permanent_lock_after").
			Default(3).
			Range(1, 100).
			Comment("Temporary lockouts in a row after which the account is LOCKED."),
		field.Int("inactivity_deactivation_days").
			Optional().
			Nillable().
			Range(1, 36500).
			Comment("Days without login after which an account is deactivated; null means never."),
		field.Int("password_min_length").
			Default(12).
			Range(8, 128).
			Comment("Shortest password accepted."),
		field.Int("password_max_length").
			Default(40).
			Range(8, 1024).
			Comment("Longest password accepted."),
		field.Bool("password_require_digit").
			Default(true).
			Comment("Whether a password needs a letter and a digit."),
		field.Bool("password_require_symbol").
			Default(true).
			Comment("Whether a password needs a character that is neither letter nor digit."),
		field.Bool("password_require_mixed_case").
			Default(true).
			Comment("Whether a password needs upper- and lower-case letters."),
		field.Int("password_min_strength").
			Default(3).
			Range(0, 4).
			Comment("Lowest zxcvbn strength score (0 to 4) accepted."),
		field.Int("password_history_size").
			Default(5).
			Range(0, 24).
			Comment("How many previous passwords may not be reused."),
	}
}

// Edges of the SecurityManager.
func (SecurityManager) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("form_spaces", FormSpace.Type).
			Ref("security_manager").
			Comment("The form spaces the security manager authenticates.").
			Annotations(entgql.Skip()),
	}
}

// Annotations of the SecurityManager.
func (SecurityManager) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Lists the security managers."),
		entgql.RelayConnection(),
	}
}
