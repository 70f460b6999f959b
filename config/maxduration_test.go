package config

import (
	"strings"
	"testing"
	"time"
)

func TestMaxDuration(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	cfg, err := Parse("p.yaml", []byte("pipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n  - name: b\n    max_duration: 15m\n    collector: {type: hsds_api, url: y}\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Pipelines[0].MaxDuration != 2*time.Hour || cfg.Pipelines[1].MaxDuration != 15*time.Minute {
		t.Errorf("max_duration = %s, %s; want the 2h default and 15m", cfg.Pipelines[0].MaxDuration, cfg.Pipelines[1].MaxDuration)
	}
	_, err = Parse("p.yaml", []byte("pipelines:\n  - name: a\n    max_duration: -1h\n    collector: {type: hsds_api, url: x}\n"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "max_duration") {
		t.Errorf("negative max_duration: %v", err)
	}
}
