package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/localoffer/localoffer/config"
)

// origins are the locations pipelines.yaml gives a pipeline, spelled as its
// collector will fetch them: the URL policy trusts these and checks every
// other address against them.
func origins(cfg *config.Config, p config.Pipeline) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, cfg.Resolve(s))
		}
	}
	// Only the locations are read, leniently: checkCollectors has already
	// decoded the options strictly.
	var where struct {
		URL         string `yaml:"url"`
		Path        string `yaml:"path"`
		SchoolsFrom string `yaml:"schools_from"`
		Sites       []struct {
			URL string `yaml:"url"`
		} `yaml:"sites"`
	}
	if p.Collector.Node != nil {
		_ = p.Collector.Node.Decode(&where)
	}
	if where.URL != "" {
		add(where.URL)
	} else {
		add(where.Path)
	}
	add(where.SchoolsFrom)
	for _, site := range where.Sites {
		raw := strings.TrimSpace(site.URL)
		switch {
		case raw == "":
		case strings.Contains(raw, "://"):
			add(raw)
		default:
			// A local folder or page (the sample sites), else a bare domain
			// the collector tries over both schemes.
			path := cfg.Resolve(raw)
			if st, err := os.Stat(path); err == nil {
				if st.IsDir() {
					path = filepath.Join(path, "index.html")
				}
				out = append(out, path)
				continue
			}
			host := strings.TrimPrefix(raw, "//")
			out = append(out, "http://"+host, "https://"+host)
		}
	}
	return out
}
