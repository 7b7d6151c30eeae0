package reports_test

import (
	"testing"
	"time"

	"accountd/internal/reports"
)

func TestGuardFormula(t *testing.T) {
	for _, tc := range []struct{ cell, want string }{
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+41 79 000 00 00", "'+41 79 000 00 00"},
		{"-1", "'-1"},
		{"@cmd", "'@cmd"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"ann@example.com", "ann@example.com"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			if got := reports.GuardFormula(tc.cell); got != tc.want {
				t.Fatalf("GuardFormula(%q) = %q, want %q", tc.cell, got, tc.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := reports.Cursor{ExpiresAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		Kind: reports.KindGroup, ID: 42}
	got, err := reports.DecodeCursor(c.Encode())
	if err != nil || !got.ExpiresAt.Equal(c.ExpiresAt) || got.Kind != c.Kind || got.ID != c.ID {
		t.Fatalf("round trip gave %+v, %v", got, err)
	}
	for _, bad := range []string{"", "%%%", "bm90IGpzb24", "eyJrIjoiVVNFUiJ9"} {
		if _, err := reports.DecodeCursor(bad); err == nil {
			t.Fatalf("DecodeCursor(%q) accepted", bad)
		}
	}
}
