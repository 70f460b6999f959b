// Package config decodes pipelines.yaml strictly: unknown keys, wrong types,
// unknown collector types, bad cron specs and duplicate pipeline names are all
// errors that name the file, line and field, before anything runs.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/robfig/cron/v3"
	yaml "go.yaml.in/yaml/v3"
)

// Config is the whole of pipelines.yaml.
type Config struct {
	Warehouse Warehouse  `yaml:"warehouse"`
	HTTP      HTTP       `yaml:"http"`
	Staleness Staleness  `yaml:"staleness"`
	Gaps      Gaps       `yaml:"gaps"`
	Schedule  Scheduling `yaml:"scheduler"`
	Transform Transform  `yaml:"transform"`
	Serve     Serve      `yaml:"serve"`
	Pipelines []Pipeline `yaml:"pipelines"`

	// File is the path the config was read from; relative paths in the config
	// are resolved against its directory.
	File string `yaml:"-"`
	// Dir is the directory holding File.
	Dir string `yaml:"-"`
	// Secrets are the values ${ENV} references expanded to: logs, errors and
	// the warehouse show them masked.
	Secrets []string `yaml:"-"`
}

// Warehouse chooses and configures the warehouse driver.
type Warehouse struct {
	Driver   string `yaml:"driver"`   // embedded | clickhouse
	Path     string `yaml:"path"`     // embedded: data directory
	DSN      string `yaml:"dsn"`      // clickhouse: clickhouse://user:pass@host:9000/db
	Database string `yaml:"database"` // database name inside the engine
	Cluster  string `yaml:"cluster"`  // clickhouse: ON CLUSTER name; empty for a single server
	// ChunkRows is how many rows are written per insert (default 10,000).
	ChunkRows int `yaml:"chunk_rows"`
	// BlobDir keeps fetched documents content-addressed (default: blobs beside
	// the embedded warehouse's path, so var/warehouse → var/blobs; var/blobs
	// for the clickhouse driver).
	BlobDir string `yaml:"blob_dir"`
}

// Serve configures what `serve` exposes beyond the ORUK API.
type Serve struct {
	// AnalystPassword opens the ClickHouse-compatible endpoint (/clickhouse/)
	// to any user name with this password; normally "${ANALYST_PASSWORD}".
	// Empty (or the variable unset) turns the endpoint off.
	AnalystPassword string `yaml:"analyst_password"`
}

// HTTP configures the shared fetch layer.
type HTTP struct {
	UserAgent    string        `yaml:"user_agent"`
	PerHostRPS   float64       `yaml:"per_host_rps"`
	Concurrency  int           `yaml:"concurrency"`
	Timeout      time.Duration `yaml:"timeout"`
	MaxBodyBytes int64         `yaml:"max_body_bytes"`
	Retries      int           `yaml:"retries"`
	MaxBackoff   time.Duration `yaml:"max_backoff"`
	// AllowedHosts, when set, is the only set of hosts fetches may reach
	// (besides the pipeline's own source hosts).
	AllowedHosts []string `yaml:"allowed_hosts"`
	// IgnoreRobots is for fixtures and private feeds only; robots.txt is honoured by default.
	IgnoreRobots bool `yaml:"ignore_robots"`
}

// Staleness configures the staleness flag rules.
type Staleness struct {
	ReviewAfterDays    int `yaml:"review_after_days"`
	AssuranceAfterDays int `yaml:"assurance_after_days"`
	MissingAfterRuns   int `yaml:"missing_after_runs"`
}

// Gaps configures gap-analysis thresholds.
type Gaps struct {
	// ThinShare: supply per 100 children below this share of the England median is "thin".
	ThinShare float64 `yaml:"thin_share"`
	// ProjectionYears: how far ahead demand is projected (1–3).
	ProjectionYears int `yaml:"projection_years"`
}

// Scheduling configures `localoffer schedule`.
type Scheduling struct {
	Timezone        string        `yaml:"timezone"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Transform configures the record transforms shared by all pipelines.
type Transform struct {
	// Postcodes is an ONS postcode directory style CSV used to derive area codes.
	Postcodes string `yaml:"postcodes"`
	// Needs is a needs-vocabulary file overriding the built-in one.
	Needs string `yaml:"needs"`
	// MatchThreshold is the similarity at or above which two records are linked.
	MatchThreshold float64 `yaml:"match_threshold"`
	// Matches is a matches.yaml of human decisions (same: / different: pairs
	// of record ids) that override cross-source matching.
	Matches string `yaml:"matches"`
}

// Pipeline is one named source on one schedule.
type Pipeline struct {
	Name     string `yaml:"name"`
	Schedule string `yaml:"schedule"`
	Area     string `yaml:"area"` // default GSS area code for records with none
	// MaxDuration bounds one run (default 2h): past it the pipeline is
	// cancelled, what it collected is loaded, and the run fails with that reason.
	MaxDuration time.Duration   `yaml:"max_duration"`
	Disabled    bool            `yaml:"disabled"`
	Collector   CollectorConfig `yaml:"collector"`

	// Run status and repairs (README "Run statuses" and "Repairs").
	// QuarantineFailShare: a run whose quarantined share of records is above
	// this fails (nil: DefaultQuarantineFailShare). DefaultStatus: the status
	// of services the source gives none, recorded as a repair each time.
	QuarantineFailShare *float64 `yaml:"quarantine_fail_share"`
	DefaultStatus       string   `yaml:"default_status"`

	Line int `yaml:"-"`
	// index is the pipeline's place in the file, for error fields.
	index int
	// keys keeps the line of each of the pipeline's own keys, so an error
	// names the offending key's line rather than the pipeline's.
	keys map[string]int
}

// DefaultQuarantineFailShare is quarantine_fail_share when not set.
const DefaultQuarantineFailShare = 0.5

// FailShare is the pipeline's quarantine_fail_share.
func (p *Pipeline) FailShare() float64 {
	if p.QuarantineFailShare == nil {
		return DefaultQuarantineFailShare
	}
	return *p.QuarantineFailShare
}

// CollectorConfig is a pipeline's collector: section. Its options belong to
// the collector type: config keeps them as the YAML node (${ENV} references
// expanded, lines as in the file) for cmd/localoffer to decode strictly into
// that collector's Options with DecodeCollector.
type CollectorConfig struct {
	Type string
	Node *yaml.Node
}

// UnmarshalYAML keeps the node and reads type:; the other keys are the
// collector's to check.
func (c *CollectorConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: collector: want a mapping with a type: key", n.Line)
	}
	c.Node = n
	if t := mappingValue(n, "type"); t != nil {
		if t.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: collector.type: want a name", t.Line)
		}
		c.Type = t.Value
	}
	return nil
}

// Error is a configuration error with its place in the file.
type Error struct {
	File  string
	Line  int
	Field string // dotted path, e.g. pipelines[1].collector.type
	Msg   string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Field, e.Msg)
}

// Errors is every problem found in one file.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Parse decodes and validates config bytes. lookup resolves ${ENV} references.
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, &Error{File: file, Field: "(file)", Msg: "empty configuration"}
	}
	var errs Errors
	// ${ENV} is expanded in scalar values only, after parsing, so a secret can
	// never inject YAML structure.
	var secrets []string
	expandEnv(&root, func(name string) (string, bool) {
		v, ok := lookup(name)
		if ok && v != "" {
			secrets = append(secrets, v)
		}
		return v, ok
	}, file, &errs, optionalSecrets(&root))
	if len(errs) > 0 {
		return nil, errs
	}
	expanded, err := yaml.Marshal(&root)
	if err != nil {
		return nil, fmt.Errorf("%s: re-encode: %w", file, err)
	}
	// Decode the original bytes strictly so line numbers match the user's file;
	// then decode the expanded tree for the values.
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	var probe Config
	if err := strict.Decode(&probe); err != nil {
		return nil, yamlError(file, err)
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, yamlError(file, err)
	}
	cfg.File = file
	cfg.Dir = dirOf(file)
	cfg.Secrets = secrets
	recordPositions(&root, &cfg)
	cfg.applyDefaults()
	if errs := cfg.validate(); len(errs) > 0 {
		return nil, errs
	}
	return &cfg, nil
}

func dirOf(file string) string {
	if i := strings.LastIndex(file, "/"); i >= 0 {
		return file[:i]
	}
	return "."
}

// optionalSecrets are the values whose ${ENV} may be unset: an unset
// serve.analyst_password only turns the analysts' endpoint off, it must not
// stop every other command.
func optionalSecrets(root *yaml.Node) map[*yaml.Node]bool {
	out := map[*yaml.Node]bool{}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	serve := mappingValue(doc, "serve")
	if v := mappingValue(serve, "analyst_password"); v != nil {
		out[v] = true
	}
	return out
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func expandEnv(n *yaml.Node, lookup func(string) (string, bool), file string, errs *Errors, optional map[*yaml.Node]bool) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			v, ok := lookup(name)
			if !ok && !optional[n] {
				*errs = append(*errs, &Error{File: file, Line: n.Line, Field: "${" + name + "}", Msg: "environment variable is not set"})
			}
			return v
		})
		return
	}
	for _, c := range n.Content {
		expandEnv(c, lookup, file, errs, optional)
	}
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)
var notFound = regexp.MustCompile(`field (\S+) not found in type config\.(\w+)`)

// yamlError turns yaml.v3's messages into file:line: field: message.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out Errors
		for _, m := range te.Errors {
			out = append(out, parseYAMLMsg(file, m))
		}
		return out
	}
	return parseYAMLMsg(file, strings.TrimPrefix(err.Error(), "yaml: "))
}

func parseYAMLMsg(file, m string) *Error {
	e := &Error{File: file, Field: "(syntax)", Msg: m}
	if sm := yamlLine.FindStringSubmatch(m); sm != nil {
		fmt.Sscan(sm[1], &e.Line)
		e.Msg = sm[2]
		if nf := notFound.FindStringSubmatch(sm[2]); nf != nil {
			e.Field = nf[1]
			e.Msg = fmt.Sprintf("unknown field %q in %s", nf[1], sectionName(nf[2]))
		} else if strings.Contains(sm[2], "cannot unmarshal") {
			e.Field = "(value)"
			e.Msg = "wrong type: " + sm[2]
		}
	}
	return e
}

func sectionName(goType string) string {
	return strings.ToLower(goType)
}

// positions: the line of each mapping key, by dotted path.
func recordPositions(root *yaml.Node, cfg *Config) {
	doc := root.Content[0]
	pl := mapValue(doc, "pipelines")
	if pl == nil || pl.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range pl.Content {
		if i >= len(cfg.Pipelines) {
			break
		}
		cfg.Pipelines[i].Line = item.Line
		if item.Kind == yaml.MappingNode {
			keys := map[string]int{}
			for j := 0; j+1 < len(item.Content); j += 2 {
				keys[item.Content[j].Value] = item.Content[j].Line
			}
			cfg.Pipelines[i].keys = keys
		}
		cfg.Pipelines[i].index = i
		if c := mapValue(item, "collector"); c != nil && c.Kind == yaml.MappingNode {
			// The node of the decoded (re-encoded) text has other lines.
			cfg.Pipelines[i].Collector.Node = c
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// lineOf returns the line of one of the pipeline's own keys, or the pipeline's line.
func (p *Pipeline) lineOf(key string) int {
	if l, ok := p.keys[key]; ok {
		return l
	}
	return p.Line
}

// KeyLine returns the line of a collector option key, or the pipeline's line.
func (p *Pipeline) KeyLine(key string) int {
	if k := mappingKey(p.Collector.Node, key); k != nil {
		return k.Line
	}
	return p.Line
}

// Field is the pipeline's place in errors: pipelines[i].
func (p *Pipeline) Field() string { return fmt.Sprintf("pipelines[%d]", p.index) }

func mappingKey(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

func (c *Config) applyDefaults() {
	if c.Warehouse.Driver == "" {
		c.Warehouse.Driver = "embedded"
	}
	if c.Warehouse.Driver == "embedded" && c.Warehouse.Path == "" {
		c.Warehouse.Path = "var/warehouse"
	}
	if c.Warehouse.Database == "" {
		c.Warehouse.Database = "localoffer"
	}
	if c.Warehouse.ChunkRows <= 0 {
		c.Warehouse.ChunkRows = 10000
	}
	if c.HTTP.UserAgent == "" {
		c.HTTP.UserAgent = "localoffer/0.1 (+https://github.com/localoffer/localoffer)"
	}
	if c.HTTP.PerHostRPS <= 0 {
		c.HTTP.PerHostRPS = 1
	}
	if c.HTTP.Concurrency <= 0 {
		c.HTTP.Concurrency = 16
	}
	if c.HTTP.Timeout <= 0 {
		c.HTTP.Timeout = 30 * time.Second
	}
	if c.HTTP.MaxBodyBytes <= 0 {
		c.HTTP.MaxBodyBytes = 64 << 20
	}
	if c.HTTP.Retries <= 0 {
		c.HTTP.Retries = 4
	}
	if c.HTTP.MaxBackoff <= 0 {
		c.HTTP.MaxBackoff = 2 * time.Minute
	}
	if c.Staleness.ReviewAfterDays <= 0 {
		c.Staleness.ReviewAfterDays = 365
	}
	if c.Staleness.AssuranceAfterDays <= 0 {
		c.Staleness.AssuranceAfterDays = 90
	}
	if c.Staleness.MissingAfterRuns <= 0 {
		c.Staleness.MissingAfterRuns = 3
	}
	if c.Gaps.ThinShare <= 0 {
		c.Gaps.ThinShare = 0.5
	}
	if c.Gaps.ProjectionYears <= 0 {
		c.Gaps.ProjectionYears = 3
	}
	if c.Schedule.Timezone == "" {
		c.Schedule.Timezone = "UTC"
	}
	if c.Schedule.ShutdownTimeout <= 0 {
		c.Schedule.ShutdownTimeout = 5 * time.Minute
	}
	if c.Transform.MatchThreshold <= 0 {
		c.Transform.MatchThreshold = 0.85
	}
	for i := range c.Pipelines {
		if c.Pipelines[i].Schedule == "" {
			c.Pipelines[i].Schedule = "@daily"
		}
		if c.Pipelines[i].MaxDuration == 0 {
			c.Pipelines[i].MaxDuration = DefaultMaxDuration
		}
	}
}

// DefaultMaxDuration bounds a run whose pipeline sets no max_duration.
const DefaultMaxDuration = 2 * time.Hour

// CronParser parses the schedule specs pipelines.yaml accepts: five fields
// plus @daily-style descriptors.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func (c *Config) validate() Errors {
	var errs Errors
	add := func(line int, field, msg string, args ...any) {
		errs = append(errs, &Error{File: c.File, Line: line, Field: field, Msg: fmt.Sprintf(msg, args...)})
	}
	switch c.Warehouse.Driver {
	case "embedded":
	case "clickhouse":
		if c.Warehouse.DSN == "" {
			add(0, "warehouse.dsn", "required for driver clickhouse")
		}
	default:
		add(0, "warehouse.driver", "unknown driver %q (want embedded or clickhouse)", c.Warehouse.Driver)
	}
	if _, err := time.LoadLocation(c.Schedule.Timezone); err != nil {
		add(0, "scheduler.timezone", "unknown timezone %q", c.Schedule.Timezone)
	}
	if len(c.Pipelines) == 0 {
		add(0, "pipelines", "at least one pipeline is required")
	}
	seen := map[string]int{}
	for i := range c.Pipelines {
		p := &c.Pipelines[i]
		field := fmt.Sprintf("pipelines[%d]", i)
		if p.Name == "" {
			add(p.Line, field+".name", "required")
		} else if !validName(p.Name) {
			add(p.Line, field+".name", "%q: use letters, digits, '-' and '_' only", p.Name)
		} else if first, dup := seen[p.Name]; dup {
			add(p.Line, field+".name", "duplicate pipeline name %q (first defined on line %d)", p.Name, first)
		} else {
			seen[p.Name] = p.Line
		}
		if _, err := CronParser.Parse(p.Schedule); err != nil {
			add(p.lineOf("schedule"), field+".schedule", "invalid cron spec %q: %v", p.Schedule, err)
		}
		if p.MaxDuration < 0 {
			add(p.Line, field+".max_duration", "must be positive (like 2h or 30m)")
		}
		if p.Area != "" && !lacodes.IsLA(p.Area) {
			add(p.Line, field+".area", "%q is not a GSS local authority code (like E06000044)", p.Area)
		}
		if s := p.QuarantineFailShare; s != nil && (*s < 0 || *s > 1) {
			add(p.Line, field+".quarantine_fail_share", "%v is not a share between 0 and 1", *s)
		}
		switch p.DefaultStatus {
		case "", "active", "inactive", "defunct", "temporarily closed":
		default:
			add(p.Line, field+".default_status", "%q is not an HSDS service status (active, inactive, defunct or temporarily closed)", p.DefaultStatus)
		}
		if p.Collector.Type == "" {
			add(p.Line, field+".collector.type", "required")
		}
	}
	return errs
}

func validName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Select returns the named pipelines (all enabled ones when names is empty).
func (c *Config) Select(names []string) ([]Pipeline, error) {
	if len(names) == 0 {
		var out []Pipeline
		for _, p := range c.Pipelines {
			if !p.Disabled {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var out []Pipeline
	for _, n := range names {
		found := false
		for _, p := range c.Pipelines {
			if p.Name == n {
				out = append(out, p)
				found = true
			}
		}
		if !found {
			return nil, &Error{File: c.File, Field: "--pipeline", Msg: fmt.Sprintf("no pipeline named %q", n)}
		}
	}
	return out, nil
}

// Resolve makes a relative file path in the config relative to the config's directory.
// URLs and absolute paths are returned unchanged.
func (c *Config) Resolve(p string) string {
	if p == "" || strings.Contains(p, "://") || strings.HasPrefix(p, "/") {
		return p
	}
	if c.Dir == "" || c.Dir == "." {
		return p
	}
	return c.Dir + "/" + p
}
