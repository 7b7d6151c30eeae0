package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"

	"accountd/ent"
	"accountd/ent/role"
	"accountd/ent/securitymanager"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
	"accountd/internal/authz"
	"accountd/internal/password"
)

// The names the first start creates.
const (
	AdministratorRole      = "Administrator"
	BootstrapUsername      = "admin"
	bootstrapEmail         = "admin@localhost.invalid"
	defaultSecurityManager = "Default"
)

// Bootstrap prepares an empty database: it creates the default security
// manager and the built-in Administrator role when they are missing, and,
// when there is no user at all, the user admin holding that role. The
// password is chosen when given; otherwise one is generated, written once
// to out, and must be changed at the first login.
func (s *Service) Bootstrap(ctx context.Context, chosenPassword string, out io.Writer) error {
	ctx = authz.SystemContext(ctx)
	generated := chosenPassword == ""
	pw := chosenPassword
	if generated {
		var err error
		if pw, err = generatePassword(24); err != nil {
			return err
		}
	}
	created := false
	err := withTx(ctx, s.client, func(tx *ent.Tx) error {
		admin, err := ensureCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if exists, err := tx.User.Query().Exist(ctx); err != nil || exists {
			return err
		}
		created = true
		return s.createAdministrator(ctx, tx, admin, AdministratorInput{
			Username: BootstrapUsername, Email: bootstrapEmail, Password: pw,
		}, generated)
	})
	if err != nil {
		return fmt.Errorf("auth: bootstrapping: %w", err)
	}
	switch {
	case created && generated:
		fmt.Fprintf(out, "Created the first administrator. Log in with username %q and password %q;\n"+
			"the password must be changed at the first login. It is not shown again.\n",
			BootstrapUsername, pw)
	case created:
		fmt.Fprintf(out, "Created the first administrator %q with the password of ACCOUNTD_BOOTSTRAP_PASSWORD.\n",
			BootstrapUsername)
	}
	return nil
}

// AdministratorInput describes an administrator to create.
type AdministratorInput struct {
	Username, Email, Password string
}

// ErrUsernameTaken reports an administrator whose username exists already.
var ErrUsernameTaken = errors.New("auth: the username is taken")

// CreateAdministrator creates a user holding the Administrator role, for
// scripted installs. The password must satisfy the policy of the default
// security manager (a *PolicyError otherwise).
func (s *Service) CreateAdministrator(ctx context.Context, in AdministratorInput) error {
	ctx = authz.SystemContext(ctx)
	r, err := loadRules(ctx, s.client)
	if err != nil {
		return err
	}
	if v := r.policy.Check(in.Password, password.Inputs{Username: in.Username, Email: in.Email}, nil); len(v) > 0 {
		return &PolicyError{Violations: v}
	}
	return withTx(ctx, s.client, func(tx *ent.Tx) error {
		admin, err := ensureCatalog(ctx, tx)
		if err != nil {
			return err
		}
		taken, err := tx.User.Query().
			Where(user.UsernameNormalized(account.NormalizeUsername(in.Username))).
			Exist(ctx)
		if err != nil {
			return err
		}
		if taken {
			return ErrUsernameTaken
		}
		return s.createAdministrator(ctx, tx, admin, in, false)
	})
}

func (s *Service) createAdministrator(ctx context.Context, tx *ent.Tx, admin *ent.Role,
	in AdministratorInput, mustChange bool) error {
	hash, err := s.settings.Hasher.Hash(in.Password)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	u, err := tx.User.Create().
		SetUsername(in.Username).
		SetEmail(in.Email).
		SetPasswordHash(hash).
		SetPasswordChangedAt(now).
		SetMustChangePassword(mustChange).
		Save(ctx)
	if err != nil {
		return fmt.Errorf("creating user %s: %w", in.Username, err)
	}
	err = tx.RoleAssignment.Create().
		SetUserID(u.ID).
		SetRoleID(admin.ID).
		SetAssignedAt(now).
		SetAssignedBy(authz.SystemName).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("assigning %s to %s: %w", AdministratorRole, in.Username, err)
	}
	changes := audit.Diff(nil, "username", "", u.Username)
	changes = audit.Diff(changes, "roles", "", AdministratorRole)
	return audit.Record(ctx, tx.Client(), now, audit.Event{
		Action: "user.created", TargetType: "User", TargetID: u.ID, Changes: changes,
	})
}

// ensureCatalog creates the default security manager and the built-in
// Administrator role when they are missing, and returns the role.
func ensureCatalog(ctx context.Context, tx *ent.Tx) (*ent.Role, error) {
	hasDefault, err := tx.SecurityManager.Query().Where(securitymanager.IsDefault(true)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !hasDefault {
		err := tx.SecurityManager.Create().SetName(defaultSecurityManager).SetIsDefault(true).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating the default security manager: %w", err)
		}
	}
	admin, err := tx.Role.Query().Where(role.Name(AdministratorRole)).Only(ctx)
	if !ent.IsNotFound(err) {
		return admin, err
	}
	admin, err = tx.Role.Create().
		SetName(AdministratorRole).
		SetDescription("Built-in role holding every permission.").
		SetPermissions(authz.Permissions).
		SetBuiltin(true).
		SetActive(true).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("creating the %s role: %w", AdministratorRole, err)
	}
	return admin, nil
}

// generatePassword returns a random password of n characters with letters
// of both cases, digits and symbols, which every policy accepts.
func generatePassword(n int) (string, error) {
	const (
		lower   = "abcdefghijkmnopqrstuvwxyz"
		upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits  = "23456789"
		symbols = "-_.!@#%+="
	)
	classes := []string{lower, upper, digits, symbols}
	out := make([]byte, n)
	for i := range out {
		set := lower + upper + digits + symbols
		if i < len(classes) {
			set = classes[i]
		}
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", fmt.Errorf("auth: generating a password: %w", err)
		}
		out[i] = set[k.Int64()]
	}
	// Move the guaranteed characters away from the front.
	for i := len(out) - 1; i > 0; i-- {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", fmt.Errorf("auth: generating a password: %w", err)
		}
		j := k.Int64()
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}
