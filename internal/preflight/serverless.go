package preflight

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Serverless is the part of serverless.yml (scf component) that vodhook
// depends on.
type Serverless struct {
	Component string `yaml:"component"`
	Name      string `yaml:"name"`
	Inputs    Inputs `yaml:"inputs"`
}

// Inputs are the scf component's function settings.
type Inputs struct {
	Name        string             `yaml:"name"`
	Region      string             `yaml:"region"`
	Src         yaml.Node          `yaml:"src"` // a path, or a mapping with src
	Handler     string             `yaml:"handler"`
	Runtime     string             `yaml:"runtime"`
	Role        string             `yaml:"role"`
	Timeout     int                `yaml:"timeout"`
	MemorySize  int                `yaml:"memorySize"`
	Environment Environment        `yaml:"environment"`
	Events      []map[string]Event `yaml:"events"`
}

// Environment holds the function's environment variables.
type Environment struct {
	Variables map[string]string `yaml:"variables"`
}

// Event is one trigger; its key in the events list names its type.
type Event struct {
	Parameters EventParameters `yaml:"parameters"`
}

// EventParameters are the trigger settings preflight checks, for every
// trigger type.
type EventParameters struct {
	// Function URL (http).
	AuthType  string `yaml:"authType"`
	NetConfig struct {
		EnableIntranet *bool `yaml:"enableIntranet"`
		EnableExtranet *bool `yaml:"enableExtranet"`
	} `yaml:"netConfig"`

	// Timer.
	Enable         *bool  `yaml:"enable"`
	CronExpression string `yaml:"cronExpression"`

	// API Gateway (apigw).
	Protocols []string `yaml:"protocols"`
	Endpoints []struct {
		Path     string `yaml:"path"`
		Method   string `yaml:"method"`
		Function struct {
			IsIntegratedResponse *bool `yaml:"isIntegratedResponse"`
		} `yaml:"function"`
	} `yaml:"endpoints"`
}

// ReadServerless parses serverless.yml.
func ReadServerless(path string) (Serverless, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Serverless{}, err
	}
	var s Serverless
	if err := yaml.Unmarshal(data, &s); err != nil {
		return Serverless{}, fmt.Errorf("%s is not valid YAML: %w", path, err)
	}
	return s, nil
}

// SrcPath returns the code folder of inputs.src, whether it is written as a
// path or as a mapping with a src key.
func (in Inputs) SrcPath() string {
	switch in.Src.Kind {
	case yaml.ScalarNode:
		return in.Src.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(in.Src.Content); i += 2 {
			if in.Src.Content[i].Value == "src" {
				return in.Src.Content[i+1].Value
			}
		}
	}
	return ""
}

// Triggers returns the events of type kind ("http", "timer", "apigw").
func (in Inputs) Triggers(kind string) []Event {
	var found []Event
	for _, event := range in.Events {
		if e, ok := event[kind]; ok {
			found = append(found, e)
		}
	}
	return found
}

var envReference = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)

// Expand replaces ${env:NAME} references in value with getenv(NAME), as
// the Serverless Cloud Framework does at deploy time, and returns the names
// that getenv left empty.
func Expand(value string, getenv func(string) string) (string, []string) {
	var unset []string
	expanded := envReference.ReplaceAllStringFunc(value, func(ref string) string {
		name := envReference.FindStringSubmatch(ref)[1]
		v := getenv(name)
		if v == "" {
			unset = append(unset, name)
		}
		return v
	})
	return expanded, unset
}

// isReference reports whether value is only an ${env:NAME} reference.
func isReference(value string) bool {
	return envReference.MatchString(value) && strings.TrimSpace(envReference.ReplaceAllString(value, "")) == ""
}
