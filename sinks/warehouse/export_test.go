package warehouse

import "context"

// MigrateStepwise applies the migrations one by one whatever the database holds,
// as Migrate does for a warehouse that is not fresh.
func (w *Warehouse) MigrateStepwise(ctx context.Context) (int, error) {
	migs, err := Migrations()
	if err != nil {
		return 0, err
	}
	return w.migrateStepwise(ctx, migs, false)
}

// FreshSchemaText is the embedded fresh_schema.sql.
func FreshSchemaText() string { return freshSchemaText }

// MigrateFresh is Migrate's fresh path alone: ok says whether it applied.
func (w *Warehouse) MigrateFresh(ctx context.Context) (int, bool, error) {
	migs, err := Migrations()
	if err != nil {
		return 0, false, err
	}
	n, ok, _, err := w.tryFresh(ctx, migs)
	return n, ok, err
}

// ReconcileFlagsFull is ReconcileFlags always through the full statement.
func (w *Warehouse) ReconcileFlagsFull(ctx context.Context, pipeline, runID string, ruleFlags []string) error {
	return w.reconcileFlags(ctx, pipeline, runID, ruleFlags, true)
}
