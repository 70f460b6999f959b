package embedded

import "testing"

func TestIsInsertKeepsColumnTypes(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO flags SELECT 1":               true,
		"\n  insert\tINTO t (a) VALUES (1)":        true,
		"INSERT\nINTO t SELECT * FROM u":           true,
		"ALTER TABLE t ADD COLUMN c String":        false,
		"CREATE TABLE t (a UInt8) ENGINE = Memory": false,
		"INSERTED":     false,
		"DROP TABLE t": false,
		"":             false,
	} {
		if got := isInsert(q); got != want {
			t.Errorf("isInsert(%q) = %v, want %v", q, got, want)
		}
	}
}
