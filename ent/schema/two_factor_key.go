package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// TwoFactorKey is a user's TOTP secret, encrypted at rest, with the state of
// its enrolment.
type TwoFactorKey struct {
	ent.Schema
}

// Fields of the TwoFactorKey.
func (TwoFactorKey) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").
			Unique(),
		field.Bytes("secret_ciphertext").
			Sensitive().
			Comment("The TOTP secret sealed with AES-256-GCM under the server key."),
		field.Enum("state").
			Values("PENDING_CONFIRMATION", "CONFIGURED").
			Default("PENDING_CONFIRMATION"),
		field.Time("created_at").
			Default(now).
			Immutable(),
		field.Time("confirmed_at").
			Optional().
			Nillable(),
		field.Bytes("enrolment_token_hash").
			Optional().
			Nillable().
			Unique().
			Sensitive().
			Comment("SHA-256 of the one-time enrolment link's token."),
		field.Time("enrolment_expires_at").
			Optional().
			Nillable(),
		field.Int("failed_attempts").
			Default(0),
		field.Int64("last_used_step").
			Default(0).
			Comment("The TOTP time step of the last accepted code, against replay."),
	}
}

// Edges of the TwoFactorKey.
func (TwoFactorKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).
			Ref("two_factor_key").
			Field("user_id").
			Unique().
			Required(),
	}
}

// Annotations of the TwoFactorKey.
func (TwoFactorKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
