package admin

import (
	"context"
	"errors"
	"maps"
	"time"

	"entgo.io/ent/dialect"

	"accountd/ent"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
	"accountd/internal/password"
)

// CreateUserInput holds the fields of a new user.
type CreateUserInput struct {
	Username               string
	UserType               user.UserType
	FirstName, LastName    string
	Email                  string
	Mobile, Phone          *string
	Profile                map[string]string
	TwoFactorRequired      bool
	MustChangePassword     bool
	Password               *string
	SendPasswordSetupEmail bool
	// OrganizationIDs are the organizations the user belongs to from the
	// start; a caller without GLOBAL_ACCESS must name at least one of its
	// own, or it could not see the user it created.
	OrganizationIDs []int
}

// UpdateUserInput holds the changes to a user; nil fields stay as they are.
type UpdateUserInput struct {
	UserID              int
	ExpectedVersion     *int
	FirstName, LastName *string
	Email               *string
	Mobile, Phone       *string
	Profile             map[string]string
	TwoFactorRequired   *bool
	MustChangePassword  *bool
}

// checkContact adds the problems of the contact fields that are set.
func checkContact(p *problems, first, last, email, mobile, phone *string,
	profile map[string]string) {
	if first != nil && account.ValidateName(*first) != nil {
		p.maxLen("firstName", *first, account.NameMaxLen)
	}
	if last != nil && account.ValidateName(*last) != nil {
		p.maxLen("lastName", *last, account.NameMaxLen)
	}
	if email != nil {
		switch {
		case *email == "":
			p.add(CodeRequired, "email must be given", "email")
		case len(*email) > account.EmailMaxLen:
			p.addf(CodeTooLong, "email", "email is at most %d characters long",
				account.EmailMaxLen)
		case account.ValidateEmail(*email) != nil:
			p.add(CodeInvalidValue, account.ErrEmailInvalid.Error(), "email")
		}
	}
	for field, v := range map[string]*string{"mobile": mobile, "phone": phone} {
		if v != nil && *v != "" && account.ValidatePhone(*v) != nil {
			p.add(CodeInvalidValue, account.ErrPhoneInvalid.Error(), field)
		}
	}
	if err := account.ValidateProfile(profile); err != nil {
		code := CodeInvalidValue
		if errors.Is(err, account.ErrProfileValue) || errors.Is(err, account.ErrProfileTooLarge) {
			code = CodeTooLong
		}
		p.add(code, err.Error(), "profile")
	}
}

// checkUsername adds the problems of a username.
func checkUsername(p *problems, name string) {
	switch err := account.ValidateUsername(name); {
	case err == nil:
	case name == "":
		p.add(CodeRequired, "username must be given", "username")
	case len([]rune(name)) > account.UsernameMaxLen:
		p.add(CodeTooLong, err.Error(), "username")
	default:
		p.add(CodeInvalidValue, err.Error(), "username")
	}
}

// CreateUser creates a user, with either an initial password or an emailed
// link to choose one.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*ent.User, error) {
	if in.UserType == "" {
		in.UserType = user.UserTypeLOCAL
	}
	var p problems
	checkUsername(&p, in.Username)
	if user.UserTypeValidator(in.UserType) != nil {
		p.add(CodeInvalidValue, "userType must be LOCAL, LDAP or SSO", "userType")
	}
	checkContact(&p, &in.FirstName, &in.LastName, &in.Email, in.Mobile, in.Phone, in.Profile)
	switch {
	case in.UserType != user.UserTypeLOCAL && (in.Password != nil || in.SendPasswordSetupEmail):
		p.add(CodeInvalidValue, "only LOCAL users have a password here", "password")
	case in.UserType == user.UserTypeLOCAL && in.Password != nil && in.SendPasswordSetupEmail:
		p.add(CodeInvalidValue, "give a password or ask for a set-up email, not both", "password")
	case in.UserType == user.UserTypeLOCAL && in.Password == nil && !in.SendPasswordSetupEmail:
		p.add(CodeRequired, "give a password or ask for a set-up email", "password")
	}
	if len(in.OrganizationIDs) == 0 && !actorOf(ctx).Global() {
		p.add(CodeRequired, "name at least one of your organizations", "organizationIds")
	}
	if err := p.err(); err != nil {
		return nil, err
	}

	var created *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		taken, err := c.User.Query().
			Where(user.UsernameNormalized(account.NormalizeUsername(in.Username))).
			Exist(ctx)
		if err != nil {
			return err
		}
		if taken {
			return refuse(CodeDuplicate, "a user with this username exists", "username")
		}
		now := s.now()
		create := c.User.Create().
			SetUsername(in.Username).
			SetUserType(in.UserType).
			SetFirstName(in.FirstName).
			SetLastName(in.LastName).
			SetEmail(in.Email).
			SetNillableMobile(blankNil(in.Mobile)).
			SetNillablePhone(blankNil(in.Phone)).
			SetProfile(nonNilMap(in.Profile)).
			SetTwoFactorRequired(in.TwoFactorRequired).
			SetMustChangePassword(in.MustChangePassword).
			SetStatus(account.StatusActive).
			SetStatusChangedAt(now).
			SetCreatedAt(now).
			SetUpdatedAt(now)
		if err := checkOrganizations(ctx, c, in.OrganizationIDs); err != nil {
			return err
		}
		create.AddOrganizationIDs(in.OrganizationIDs...)
		if in.Password != nil {
			pol, err := policy(ctx, c)
			if err != nil {
				return err
			}
			inputs := password.Inputs{Username: in.Username, FirstName: in.FirstName,
				LastName: in.LastName, Email: in.Email}
			if err := checkPassword(pol, *in.Password, inputs, nil, "password"); err != nil {
				return err
			}
			hash, err := s.hasher.Hash(*in.Password)
			if err != nil {
				return err
			}
			create.SetPasswordHash(hash).SetPasswordChangedAt(now)
		}
		u, err := create.Save(ctx)
		if err != nil {
			return duplicate(err, "a user with this username exists", "username")
		}
		err = audit.Record(ctx, c, s.now(), audit.Event{Action: "user.created", TargetType: "User",
			TargetID: u.ID, Changes: userFields(nil, u)})
		if err != nil {
			return err
		}
		if in.SendPasswordSetupEmail {
			if err := s.sendResetLink(ctx, c, u, true); err != nil {
				return err
			}
		}
		created = u
		return nil
	})
	return unwrap(created), err
}

// UpdateUser changes a user's contact details and flags.
func (s *Service) UpdateUser(ctx context.Context, in UpdateUserInput) (*ent.User, error) {
	var p problems
	checkContact(&p, in.FirstName, in.LastName, in.Email, in.Mobile, in.Phone, in.Profile)
	if err := p.err(); err != nil {
		return nil, err
	}
	var updated *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		u, err := s.lockUser(ctx, tx.Client(), in.UserID, in.ExpectedVersion)
		if err != nil {
			return err
		}
		upd := tx.User.UpdateOne(u)
		if in.FirstName != nil {
			upd.SetFirstName(*in.FirstName)
		}
		if in.LastName != nil {
			upd.SetLastName(*in.LastName)
		}
		if in.Email != nil {
			upd.SetEmail(*in.Email)
		}
		if in.Mobile != nil {
			upd.SetNillableMobile(blankNil(in.Mobile))
			if *in.Mobile == "" {
				upd.ClearMobile()
			}
		}
		if in.Phone != nil {
			upd.SetNillablePhone(blankNil(in.Phone))
			if *in.Phone == "" {
				upd.ClearPhone()
			}
		}
		if in.Profile != nil {
			upd.SetProfile(in.Profile)
		}
		if in.TwoFactorRequired != nil {
			upd.SetTwoFactorRequired(*in.TwoFactorRequired)
		}
		if in.MustChangePassword != nil {
			upd.SetMustChangePassword(*in.MustChangePassword)
		}
		after, err := s.saveUser(ctx, upd, u)
		if err != nil {
			return err
		}
		err = audit.Record(ctx, tx.Client(), s.now(), audit.Event{Action: "user.updated",
			TargetType: "User", TargetID: u.ID, Changes: userFields(u, after)})
		updated = after
		return err
	})
	return unwrap(updated), err
}

// lockUser loads the user a change applies to, locking its row on
// PostgreSQL so that concurrent changes of one user run one after the
// other, and checks the expected version.
func (s *Service) lockUser(ctx context.Context, c *ent.Client, id int, expected *int) (*ent.User, error) {
	q := c.User.Query().Where(user.ID(id))
	if s.dialect == dialect.Postgres {
		q.ForUpdate()
	}
	u, err := q.Only(ctx)
	if err != nil {
		return nil, notFound(err, "user", "userId")
	}
	if expected != nil && *expected != u.Version {
		return nil, errVersionConflict
	}
	return u, nil
}

// saveUser applies upd to u, bumping the version, only if nobody changed u
// since it was read.
func (s *Service) saveUser(ctx context.Context, upd *ent.UserUpdateOne, u *ent.User) (*ent.User, error) {
	after, err := upd.
		Where(user.Version(u.Version)).
		AddVersion(1).
		SetUpdatedAt(s.now()).
		Save(ctx)
	if ent.IsNotFound(err) {
		return nil, errVersionConflict
	}
	return after, err
}

// userFields returns the changed fields between before and after; with a
// nil before, every field of after that is set. Secrets never appear.
func userFields(before, after *ent.User) map[string]audit.Change {
	if before == nil {
		before = &ent.User{}
	}
	var ch map[string]audit.Change
	ch = audit.Diff(ch, "username", before.Username, after.Username)
	ch = audit.Diff(ch, "userType", string(before.UserType), string(after.UserType))
	ch = audit.Diff(ch, "firstName", before.FirstName, after.FirstName)
	ch = audit.Diff(ch, "lastName", before.LastName, after.LastName)
	ch = audit.Diff(ch, "email", before.Email, after.Email)
	ch = audit.Diff(ch, "mobile", deref(before.Mobile), deref(after.Mobile))
	ch = audit.Diff(ch, "phone", deref(before.Phone), deref(after.Phone))
	ch = audit.Diff(ch, "status", string(before.Status), string(after.Status))
	ch = audit.Diff(ch, "statusReason", deref(before.StatusReason), deref(after.StatusReason))
	ch = audit.Diff(ch, "lockedUntil", timeString(before.LockedUntil), timeString(after.LockedUntil))
	ch = audit.Diff(ch, "failedLoginAttempts", before.FailedLoginAttempts, after.FailedLoginAttempts)
	ch = audit.Diff(ch, "twoFactorRequired", before.TwoFactorRequired, after.TwoFactorRequired)
	ch = audit.Diff(ch, "mustChangePassword", before.MustChangePassword, after.MustChangePassword)
	ch = audit.Diff(ch, "passwordChangedAt", timeString(before.PasswordChangedAt),
		timeString(after.PasswordChangedAt))
	if !maps.Equal(before.Profile, after.Profile) && (len(before.Profile)+len(after.Profile) > 0) {
		if ch == nil {
			ch = map[string]audit.Change{}
		}
		ch["profile"] = audit.Change{Before: before.Profile, After: after.Profile}
	}
	return ch
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// blankNil turns an empty optional string into nil, which clears it.
func blankNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
