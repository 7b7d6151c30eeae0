// Package authz defines the permissions that roles grant and the rules that
// decide what a caller may see and change.
package authz

import (
	"fmt"
	"io"
	"strconv"
)

// Permission is one right that a role grants to its holders.
type Permission string

// The permissions a role can grant.
const (
	UsersRead        Permission = "USERS_READ"
	UsersWrite       Permission = "USERS_WRITE"
	UsersStatus      Permission = "USERS_STATUS"
	UsersCredentials Permission = "USERS_CREDENTIALS"
	UsersAccess      Permission = "USERS_ACCESS"
	CatalogWrite     Permission = "CATALOG_WRITE"
	AuditRead        Permission = "AUDIT_READ"
	ReportsRead      Permission = "REPORTS_READ"
	GlobalAccess     Permission = "GLOBAL_ACCESS"
)

// Permissions lists every permission; the built-in Administrator role holds
// all of them.
var Permissions = []Permission{
	UsersRead,
	UsersWrite,
	UsersStatus,
	UsersCredentials,
	UsersAccess,
	CatalogWrite,
	AuditRead,
	ReportsRead,
	GlobalAccess,
}

// IsValid reports whether p is one of the known permissions.
func (p Permission) IsValid() bool {
	for _, known := range Permissions {
		if p == known {
			return true
		}
	}
	return false
}

// String returns the permission as the API spells it.
func (p Permission) String() string { return string(p) }

// MarshalGQL writes the permission as a GraphQL enum value.
func (p Permission) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(p)))
}

// UnmarshalGQL reads a GraphQL enum value into p.
func (p *Permission) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("permission must be a string, got %T", v)
	}
	if !Permission(str).IsValid() {
		return fmt.Errorf("%q is not a permission", str)
	}
	*p = Permission(str)
	return nil
}
