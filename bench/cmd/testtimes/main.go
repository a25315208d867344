// Command testtimes measures the test loop the way a contributor meets it:
// `make test` in a fresh clone with an empty Go build cache (cold), then
// `make test` again with nothing changed (warm). It writes both durations
// to a JSON file that `make bench` reports against their budgets, since a
// benchmark run cannot take ten minutes of tests itself. `make test-times`
// runs it.
//
// The Go module cache and npm's cache are shared with the machine (the
// modules are downloaded already, as on any machine that built once).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Times is what the JSON file holds.
type Times struct {
	Date    string  `json:"date"`
	Commit  string  `json:"commit"`
	ColdS   float64 `json:"coldSeconds"`
	WarmS   float64 `json:"warmSeconds"`
	Command string  `json:"command"`
	Load    string  `json:"loadAverageAtStart"`
}

func main() {
	out := flag.String("out", "docs/test-times.json", "where to write the timings")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "testtimes:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	work, err := os.MkdirTemp("", "sealbridge-testtimes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	repo := filepath.Join(work, "repo")
	if b, err := exec.Command("git", "clone", "--quiet", "--no-hardlinks", ".", repo).CombinedOutput(); err != nil {
		return fmt.Errorf("git clone: %v\n%s", err, b)
	}
	commit, _ := exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	env := append(os.Environ(), "GOCACHE="+filepath.Join(work, "gocache"))
	t := Times{
		Date:    time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Commit:  strings.TrimSpace(string(commit)),
		Command: "make test-times (`time make test` twice in a fresh clone, GOCACHE empty at first)",
		Load:    strings.Join(strings.Fields(string(load))[:3], " "),
	}
	if t.ColdS, err = timeMakeTest(repo, env, filepath.Join(work, "cold.log")); err != nil {
		return err
	}
	if t.WarmS, err = timeMakeTest(repo, env, filepath.Join(work, "warm.log")); err != nil {
		return err
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("make test: cold %.0f s, warm %.1f s\n", t.ColdS, t.WarmS)
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

func timeMakeTest(repo string, env []string, logPath string) (float64, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	cmd := exec.Command("make", "test")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = repo, env, log, log
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start).Seconds()
	if err != nil {
		tail, _ := exec.Command("tail", "-40", logPath).Output()
		return 0, fmt.Errorf("make test failed after %.0f s: %v\n%s", took, err, tail)
	}
	return took, nil
}
