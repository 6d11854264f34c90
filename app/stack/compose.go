package stack

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/utils"
	"go.yaml.in/yaml/v4"
)

// model is a stack loaded by compose-go up to the merged, interpolated
// and normalised model, before it is bound to compose-go's types.
type model struct {
	dict  map[string]any
	opts  *loader.Options // the loader options compose-go built, kept for ModelToProject
	env   types.Mapping   // interpolation environment, .env included
	dir   string
	files []string
	loc   *locator
}

// loadModel runs compose-go's loading as `docker compose` configures it:
// the given environment first, COMPOSE_FILE or the default file names,
// then the project's .env, COMPOSE_PROFILES, and the project name's
// precedence. It does what ProjectOptions.LoadProject does up to the
// model, by hand: ProjectOptions.LoadModel would interpolate without the
// environment (compose-go v2.16.2 leaves it out of the ConfigDetails).
func loadModel(ctx context.Context, opts LoadOptions) (*model, error) {
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	po, err := cli.NewProjectOptions(opts.Files,
		cli.WithWorkingDirectory(opts.WorkDir),
		cli.WithEnv(env),
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
	)
	if err != nil {
		return nil, optionsErr(err)
	}
	if len(po.ConfigPaths) == 0 {
		dir := opts.WorkDir
		if dir == "" {
			dir, _ = os.Getwd()
		}
		return nil, fmt.Errorf("%w in %s or its parents (looked for %s)", ErrNoStackFile, dir, strings.Join(cli.DefaultFileNames, ", "))
	}
	m := &model{env: po.Environment}
	for _, f := range po.ConfigPaths {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, fmt.Errorf("loading stack: %w", err)
		}
		m.files = append(m.files, abs)
	}
	m.loc = newLocator(m.files)
	if m.dir, err = po.GetWorkingDir(); err != nil {
		return nil, fmt.Errorf("loading stack: %w", err)
	}
	details, err := po.ReadConfigFiles(ctx, m.dir, po)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &Error{File: pe.Path, Msg: pe.Err.Error(), Err: err}
		}
		return nil, m.composeErr(err)
	}
	details.Environment = m.env
	name, explicit, err := projectName(opts.ProjectName, m.env, m.dir, details.ConfigFiles)
	if err != nil {
		return nil, err
	}
	profiles := opts.Profiles
	if len(profiles) == 0 {
		for _, p := range strings.Split(m.env[consts.ComposeProfiles], ",") {
			if p = strings.TrimSpace(p); p != "" {
				profiles = append(profiles, p)
			}
		}
	}
	m.dict, err = loader.LoadModelWithContext(ctx, *details,
		loader.WithProfiles(profiles),
		func(o *loader.Options) {
			o.SetProjectName(name, explicit)
			o.ConvertWindowsPaths = utils.StringToBool(m.env["COMPOSE_CONVERT_WINDOWS_PATHS"])
			// Keep the options compose-go builds to bind the model later.
			m.opts = o
		})
	if err != nil {
		return nil, m.composeErr(err)
	}
	return m, nil
}

// projectName applies Compose's precedence: -p, then
// COMPOSE_PROJECT_NAME, then `name:` in a file (which compose-go reads
// itself when the name is not explicit), then the folder's name.
func projectName(flag string, env types.Mapping, dir string, files []types.ConfigFile) (string, bool, error) {
	if flag != "" {
		if loader.NormalizeProjectName(flag) != flag {
			return "", false, loader.InvalidProjectNameErr(flag)
		}
		return flag, true, nil
	}
	if v := env[consts.ComposeProjectName]; v != "" {
		return v, true, nil
	}
	for _, f := range files {
		var n struct {
			Name string `yaml:"name"`
		}
		// A file that does not parse is reported by the load itself.
		if yaml.Unmarshal(f.Content, &n) == nil && n.Name != "" {
			return "", false, nil
		}
	}
	return loader.NormalizeProjectName(filepath.Base(dir)), false, nil
}
