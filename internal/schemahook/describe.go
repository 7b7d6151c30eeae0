package schemahook

import (
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// enumValues describes the values of the enums that entgql generates from
// ent enum fields.
var enumValues = map[string]map[string]string{
	"AccountStatus": {
		"ACTIVE":             "In normal use; the user can log in.",
		"INACTIVE":           "Deactivated by an administrator or for inactivity.",
		"LOCKED":             "Locked until an administrator unlocks it.",
		"LOCKED_TEMPORARILY": "Locked until lockedUntil after failed logins or by an administrator.",
		"PENDING":            "An account request waiting for approval.",
		"REJECTED":           "An account request that was rejected.",
	},
	"UserType": {
		"LOCAL": "The password is kept and checked by accountd.",
		"LDAP":  "The password is checked by an LDAP directory.",
		"SSO":   "The user signs in through single sign-on.",
	},
	"GroupType": {
		"ALERT": "Members receive alerts.",
		"FORM":  "Members work on forms.",
		"JOB":   "Members run or follow jobs.",
	},
}

// types describes the object types generated from the ent schema.
var types = map[string]string{
	"Query":           "The root of every read.",
	"User":            "An account that accountd administers.",
	"Role":            "A named set of permissions that users are assigned.",
	"RoleAssignment":  "A role held by a user, permanently or until it expires.",
	"Group":           "A set of users who receive the same alerts, forms or jobs.",
	"GroupMembership": "A user's membership of a group, permanent or until it expires.",
	"Organization":    "A tenant of the platform; it scopes what an organization administrator sees.",
	"FormSpace":       "A workspace of forms, authenticated by one security manager.",
	"SecurityManager": "The login, lockout and password rules of the form spaces it authenticates.",
	"AuditEvent":      "One recorded change to accountd's data.",
}

// predicates describes the where-input fields by the suffix entgql gives
// them; %s stands for the field's name.
var predicates = []struct{ suffix, text string }{
	{"NotNil", "Matches objects whose %s is set."},
	{"IsNil", "Matches objects whose %s is not set."},
	{"ContainsFold", "Matches objects whose %s contains the value, ignoring case."},
	{"EqualFold", "Matches objects whose %s equals the value, ignoring case."},
	{"HasPrefix", "Matches objects whose %s starts with the value."},
	{"HasSuffix", "Matches objects whose %s ends with the value."},
	{"Contains", "Matches objects whose %s contains the value."},
	{"NotIn", "Matches objects whose %s is none of the values."},
	{"NEQ", "Matches objects whose %s differs from the value."},
	{"GTE", "Matches objects whose %s is at least the value."},
	{"LTE", "Matches objects whose %s is at most the value."},
	{"GT", "Matches objects whose %s is greater than the value."},
	{"LT", "Matches objects whose %s is less than the value."},
	{"In", "Matches objects whose %s is one of the values."},
}

// describe fills in the descriptions that entgql leaves empty: object types
// and enum values from the tables above, IDs, order fields and filter
// predicates from their names.
func describe(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
		if def.Description == "" {
			def.Description = types[name]
		}
		for _, f := range def.Fields {
			switch {
			case f.Description != "":
			case f.Name == "id":
				f.Description = "The object's opaque global ID."
			case strings.HasSuffix(name, "WhereInput"):
				f.Description = describePredicate(f.Name)
			}
		}
		for _, v := range def.EnumValues {
			switch {
			case v.Description != "":
			case strings.HasSuffix(name, "OrderField"):
				v.Description = "Orders by " + strings.ToLower(
					strings.ReplaceAll(v.Name, "_", " ")) + "."
			default:
				v.Description = enumValues[name][v.Name]
			}
		}
	}
	return nil
}

func describePredicate(field string) string {
	switch field {
	case "not":
		return "Matches what the nested filter does not match."
	case "and":
		return "Matches what every nested filter matches."
	case "or":
		return "Matches what at least one nested filter matches."
	}
	if edge, ok := strings.CutPrefix(field, "has"); ok {
		if edge, ok := strings.CutSuffix(edge, "With"); ok {
			return "Matches objects with a " + lowerFirst(edge) + " matching the filters."
		}
		return "Matches objects that have or lack a " + lowerFirst(edge) + "."
	}
	for _, p := range predicates {
		if name, ok := strings.CutSuffix(field, p.suffix); ok && name != "" {
			return strings.Replace(p.text, "%s", name, 1)
		}
	}
	return "Matches objects whose " + field + " equals the value."
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
