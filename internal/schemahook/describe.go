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

// describe fills in the descriptions that entgql leaves empty: enum values
// from the table above, and the fields of order enums from their names.
func describe(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
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
