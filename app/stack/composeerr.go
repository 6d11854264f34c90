package stack

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/schema"
	"go.yaml.in/yaml/v4"
)

// compose-go's errors carry the file at best and the line only for YAML
// syntax. These patterns recover the key path they talk about, so the
// locator can name the file and line where it was written.
var (
	parseErrRE    = regexp.MustCompile(`^failed to parse (.+?): (yaml: [\s\S]*)$`)
	yamlMarkRE    = regexp.MustCompile(`^yaml: (?:(.+?) at (?:line (\d+)(?:, column (\d+))?|<unknown position>): )?(?:line (\d+)(?:, column (\d+))?: )?([\s\S]*)$`)
	validatingRE  = regexp.MustCompile(`^validating (.+?): (\S+) ([\s\S]*)$`)
	decodeItemRE  = regexp.MustCompile(`(?m)^'([^']+)' (.*)$`)
	interpolateRE = regexp.MustCompile(`^error while interpolating (\S+): ([\s\S]*)$`)
	nonStringRE   = regexp.MustCompile(`^non-string key in (\S+): (.*)$`)
	dependsRE     = regexp.MustCompile(`^service "([^"]+)" depends on undefined service "([^"]+)"`)
	serviceRE     = regexp.MustCompile(`^service "([^"]+)"`)
	cycleRE       = regexp.MustCompile(`^dependency cycle detected: (\S+) -> (\S+)`)
	servicesDotRE = regexp.MustCompile(`^services\.([^.:\s]+)[.:]`)
	extendRE      = regexp.MustCompile(`^cannot extend service "([^"]+)" in (.+?): `)
	envFileRE     = regexp.MustCompile(`^env file (.+?) not found`)
	badPortRE     = regexp.MustCompile(`^Invalid (?:containerPort|hostPort|port|proto|ip address|hostIP)[^:]*: (.+)$`)
)

// composeErr words an error from compose-go as a stack file error with
// the file and, where the key can be found, the line.
func (m *model) composeErr(err error) error {
	msg := strings.TrimSuffix(err.Error(), ": "+errdefs.ErrInvalid.Error())
	e := &Error{File: m.files[0], Msg: msg, Err: err}
	var at keyPath
	switch {
	case parseErrRE.MatchString(msg):
		sm := parseErrRE.FindStringSubmatch(msg)
		e.File = sm[1]
		e.Line, e.Msg = yamlPosition(sm[2])
		return e
	case validatingRE.MatchString(msg):
		sm := validatingRE.FindStringSubmatch(msg)
		e.File = sm[1]
		at = dottedPath(sm[2])
		e.Msg = sm[2] + " " + sm[3]
		if sm[3] == "false schema" && len(at) > 0 {
			key := at[len(at)-1]
			e.Msg = at[:len(at)-1].String() + ": unknown key " + strconv.Quote(key.(string)) + serviceKeySuggestion(at)
		}
	case strings.HasPrefix(msg, "decoding failed") && decodeItemRE.MatchString(msg):
		sm := decodeItemRE.FindStringSubmatch(msg)
		at = bracketPath(sm[1])
		e.Msg = at.String() + ": " + strings.TrimPrefix(sm[2], "time: ")
	case interpolateRE.MatchString(msg):
		sm := interpolateRE.FindStringSubmatch(msg)
		at = dottedPath(sm[1])
		e.Msg = sm[1] + ": " + sm[2]
	case nonStringRE.MatchString(msg):
		sm := nonStringRE.FindStringSubmatch(msg)
		at = dottedPath(sm[1]).with(sm[2])
		e.Msg = sm[1] + ": keys must be strings, quote " + sm[2]
	case extendRE.MatchString(msg):
		sm := extendRE.FindStringSubmatch(msg)
		e.File = sm[2]
		at = keyPath{"services", sm[1], "extends"}
		e.Msg = strings.Replace(msg, " in "+sm[2], "", 1)
	case envFileRE.MatchString(msg):
		file := envFileRE.FindStringSubmatch(msg)[1]
		if pos, ok := m.loc.findScalar("env_file", func(v string) bool { return samePath(v, file) }); ok {
			e.File, e.Line = pos.File, pos.Line
		}
		return e
	case badPortRE.MatchString(msg):
		port := badPortRE.FindStringSubmatch(msg)[1]
		if pos, ok := m.loc.findScalar("ports", func(v string) bool { return strings.Contains(v, port) }); ok {
			e.File, e.Line = pos.File, pos.Line
		}
		return e
	case dependsRE.MatchString(msg):
		sm := dependsRE.FindStringSubmatch(msg)
		at = keyPath{"services", sm[1], "depends_on", sm[2]}
	case cycleRE.MatchString(msg):
		sm := cycleRE.FindStringSubmatch(msg)
		at = keyPath{"services", sm[1], "depends_on", sm[2]}
	case serviceRE.MatchString(msg):
		at = keyPath{"services", serviceRE.FindStringSubmatch(msg)[1]}
	case servicesDotRE.MatchString(msg):
		at = keyPath{"services", servicesDotRE.FindStringSubmatch(msg)[1]}
	}
	if len(at) > 0 {
		if pos, ok := m.loc.find(at); ok {
			e.File, e.Line = pos.File, pos.Line
		}
	}
	return e
}

// dotEnvRE matches compose-go's error for a .env file it cannot parse.
var dotEnvRE = regexp.MustCompile(`^failed to read (.+?): line (\d+): ([\s\S]*)$`)

// optionsErr words an error from reading the environment (.env) and
// finding the files, naming the .env file and line when that is where
// it is.
func optionsErr(err error) error {
	if sm := dotEnvRE.FindStringSubmatch(err.Error()); sm != nil {
		line, _ := strconv.Atoi(sm[2])
		return &Error{File: sm[1], Line: line, Msg: sm[3], Err: err}
	}
	return fmt.Errorf("loading stack: %w", err)
}

// yamlPosition reads the line out of a YAML syntax error and words the
// message without the library's prefix. The YAML library compose-go uses
// counts lines from 0 in parser errors (but from 1 in scanner errors);
// parserLineSkew measures that once rather than trusting either.
func yamlPosition(msg string) (int, string) {
	sm := yamlMarkRE.FindStringSubmatch(msg)
	if sm == nil {
		return 0, msg
	}
	context, problem := sm[1], sm[6]
	skew := 0
	if strings.HasPrefix(context, "while parsing") || context == "" && strings.HasPrefix(problem, "did not find expected") {
		skew = parserLineSkew()
	}
	line, ctxLine := 0, 0
	if sm[4] != "" {
		line, _ = strconv.Atoi(sm[4])
		line += skew
	}
	if sm[2] != "" {
		ctxLine, _ = strconv.Atoi(sm[2])
		ctxLine += skew
	} else if context != "" && skew > 0 {
		ctxLine = 1 // line 0 prints as <unknown position>
	}
	if line == 0 {
		line = ctxLine
	}
	if context != "" && ctxLine > 0 && ctxLine != line {
		problem += " (" + context + " at line " + strconv.Itoa(ctxLine) + ")"
	}
	return line, problem
}

// parserLineSkew is what to add to a line in a YAML parser error: 1 while
// the YAML library reports parser errors' lines from 0, else 0.
var parserLineSkew = sync.OnceValue(func() int {
	var v any
	// The missing key is on line 3.
	err := yaml.Unmarshal([]byte("a:\n  b: 1\n c: 2\n"), &v)
	if err == nil {
		return 0
	}
	sm := yamlMarkRE.FindStringSubmatch(err.Error())
	if sm == nil {
		return 0
	}
	n, _ := strconv.Atoi(sm[4])
	return 3 - n
})

// samePath says whether written (as in a stack file, maybe relative)
// names the absolute path file.
func samePath(written, file string) bool {
	w := filepath.Clean(written)
	if filepath.IsAbs(w) {
		return w == file
	}
	return strings.HasSuffix(file, string(filepath.Separator)+w)
}

// dottedPath splits compose-go's dotted key paths (services.web.ports.0).
func dottedPath(s string) keyPath {
	var p keyPath
	for _, e := range strings.Split(s, ".") {
		p = append(p, e)
	}
	return p
}

// bracketPath splits mapstructure's paths (services[web].healthcheck).
func bracketPath(s string) keyPath {
	var p keyPath
	for _, e := range strings.Split(s, ".") {
		name, key, ok := strings.Cut(e, "[")
		p = append(p, name)
		if ok {
			p = append(p, strings.TrimSuffix(key, "]"))
		}
	}
	return p
}

// serviceKeySuggestion suggests the Compose service key closest to an
// unknown one, from the Compose schema itself.
func serviceKeySuggestion(at keyPath) string {
	if len(at) != 3 || at[0] != "services" {
		return ""
	}
	keys := serviceKeys()
	if len(keys) == 0 {
		return ""
	}
	return suggest(at[2].(string), keys)
}

// serviceKeys are the keys a service may have: the schema composes a
// service from these three definitions.
var serviceKeys = sync.OnceValue(func() map[string]bool {
	var s struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	keys := map[string]bool{}
	if json.Unmarshal([]byte(schema.Schema), &s) == nil {
		for _, def := range []string{"service", "container_spec", "workload_spec"} {
			for k := range s.Defs[def].Properties {
				keys[k] = true
			}
		}
	}
	return keys
})
