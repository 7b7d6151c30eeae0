package server_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"accountd/graph"
	"accountd/graph/scalar"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// guard is what the schema says a root field needs.
type guard struct {
	public      bool
	permissions []authz.Permission
	recentAuth  bool
}

func guardOf(f *ast.FieldDefinition) guard {
	var g guard
	if f.Directives.ForName("public") != nil {
		g.public = true
	}
	if d := f.Directives.ForName("requires"); d != nil {
		if a := d.Arguments.ForName("permissions"); a != nil {
			for _, v := range a.Value.Children {
				g.permissions = append(g.permissions, authz.Permission(v.Value.Raw))
			}
		}
		if a := d.Arguments.ForName("recentAuthentication"); a != nil {
			g.recentAuth = a.Value.Raw == "true"
		}
	}
	return g
}

// sampleValue returns a value of type t that passes GraphQL validation:
// what a resolver then makes of it does not matter to these tests.
func sampleValue(s *ast.Schema, t *ast.Type, depth int) any {
	if t.Elem != nil {
		return []any{}
	}
	def := s.Types[t.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		obj := map[string]any{}
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil && depth < 5 {
				obj[f.Name] = sampleValue(s, f.Type, depth+1)
			}
		}
		return obj
	}
	switch t.NamedType {
	case "ID":
		return scalar.EncodeID(1)
	case "Int":
		return 1
	case "Boolean":
		return false
	case "Time":
		return "2036-01-01T00:00:00Z"
	case "StringMap", "JSON":
		return map[string]any{}
	}
	return "x"
}

// document returns a mutation calling field with sample arguments.
func document(s *ast.Schema, f *ast.FieldDefinition) (string, map[string]any) {
	var decls, args []string
	vars := map[string]any{}
	for _, a := range f.Arguments {
		if !a.Type.NonNull {
			continue
		}
		decls = append(decls, fmt.Sprintf("$%s: %s", a.Name, a.Type.String()))
		args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
		vars[a.Name] = sampleValue(s, a.Type, 0)
	}
	q := "mutation"
	if len(decls) > 0 {
		q += "(" + strings.Join(decls, ", ") + ")"
	}
	call := f.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	if ret := s.Types[f.Type.Name()]; ret != nil && ret.Kind != ast.Scalar && ret.Kind != ast.Enum {
		call += " { __typename }"
	}
	return q + " { " + call + " }", vars
}

// publicMutations are the only mutations callable without a session.
var publicMutations = []string{"login", "completePasswordReset", "confirmTwoFactorKey"}

// TestGuardsFollowThePolicy checks the directives themselves against the
// rules of who may call what, so that a mutation cannot be declared with a
// weaker guard than its kind demands.
func TestGuardsFollowThePolicy(t *testing.T) {
	s := graph.NewSchema(nil, clock.System{}, nil).Schema()
	catalog := []string{"Role", "Organization", "FormSpace", "Group", "SecurityManager"}
	for _, f := range s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		g := guardOf(f)
		name := f.Name
		if g.public != slices.Contains(publicMutations, name) {
			t.Errorf("%s: public = %v", name, g.public)
		}
		changesAccess := strings.HasPrefix(name, "assign") || strings.HasPrefix(name, "unassign") ||
			strings.HasPrefix(name, "bulkAssign") || strings.HasPrefix(name, "extend") ||
			(strings.HasPrefix(name, "set") && strings.HasSuffix(name, "Expiry"))
		if changesAccess && (!g.recentAuth || !slices.Contains(g.permissions, authz.UsersAccess)) {
			t.Errorf("%s changes access but needs %v, recent authentication %v",
				name, g.permissions, g.recentAuth)
		}
		for _, kind := range catalog {
			for _, verb := range []string{"create", "update", "delete"} {
				if name == verb+kind && !slices.Contains(g.permissions, authz.CatalogWrite) {
					t.Errorf("%s changes the catalog but needs %v", name, g.permissions)
				}
			}
		}
	}
}

// TestEveryMutationIsGuarded reads every mutation and its directives from
// the schema, and checks each against callers that lack a session, lack a
// permission, hold only an expired or inactive role, or authenticated too
// long ago. Mutations added later are covered without touching the test.
func TestEveryMutationIsGuarded(t *testing.T) {
	s := graph.NewSchema(nil, clock.System{}, nil).Schema()
	var mutations []*ast.FieldDefinition
	for _, f := range s.Mutation.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			mutations = append(mutations, f)
		}
	}
	sort.Slice(mutations, func(i, j int) bool { return mutations[i].Name < mutations[j].Name })

	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		expiry := start.Add(time.Second)
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "global-admin", Administrator: true})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "reader",
			Permissions: []authz.Permission{authz.UsersRead}})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "expired", Administrator: true,
			RoleExpiresAt: &expiry})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "inactive-role",
			Permissions: authz.Permissions, RoleInactive: true})
		callers := map[string]*testapi.Client{"anonymous": c}
		for _, who := range []string{"reader", "expired", "inactive-role"} {
			callers[who] = testauth.Login(t, c, who)
		}
		stale := testauth.Login(t, c, "global-admin")
		// Past the reauthentication window, within the idle timeout; the
		// expired caller's role has expired too.
		clk.Advance(16 * time.Minute)

		for _, f := range mutations {
			g := guardOf(f)
			query, vars := document(s, f)
			expect := map[string]string{}
			if !g.public {
				expect["anonymous"] = "UNAUTHENTICATED"
			}
			if len(g.permissions) > 0 {
				expect["expired"] = "FORBIDDEN"
				expect["inactive-role"] = "FORBIDDEN"
				if slices.ContainsFunc(g.permissions, func(p authz.Permission) bool {
					return p != authz.UsersRead
				}) {
					expect["reader"] = "FORBIDDEN"
				}
			}
			for who, want := range expect {
				t.Run(f.Name+"/"+who, func(t *testing.T) {
					res := callers[who].Do(t, query, vars)
					if got := res.ErrorCode(); got != want {
						t.Fatalf("%s as %s: code %q, want %q: %s", f.Name, who, got, want, res.Raw)
					}
				})
			}
			if f.Name == "logout" {
				continue // it would end the sessions the other cases use
			}
			t.Run(f.Name+"/administrator", func(t *testing.T) {
				res := stale.Do(t, query, vars)
				got := res.ErrorCode()
				if g.recentAuth && got != "REAUTHENTICATION_REQUIRED" {
					t.Fatalf("%s after 16 minutes: code %q, want REAUTHENTICATION_REQUIRED: %s",
						f.Name, got, res.Raw)
				}
				if !g.recentAuth && (got == "UNAUTHENTICATED" || got == "FORBIDDEN" ||
					got == "REAUTHENTICATION_REQUIRED" || got == "INTERNAL") {
					t.Fatalf("%s as an administrator: code %q: %s", f.Name, got, res.Raw)
				}
			})
		}
	})
}
