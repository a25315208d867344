package main

import (
	"fmt"
	"strings"
)

// table is one result table; the same markdown goes to the terminal and
// to docs/benchmarks.md.
type table struct {
	title string
	head  []string
	rows  [][]string
	notes []string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) markdown() string {
	var b strings.Builder
	if t.title != "" {
		fmt.Fprintf(&b, "### %s\n\n", t.title)
	}
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n")
	seps := make([]string, len(t.head))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	b.WriteString("|" + strings.Join(seps, "|") + "|\n")
	for _, r := range t.rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	for _, n := range t.notes {
		b.WriteString("\n" + n + "\n")
	}
	return b.String()
}

// budget is one line of the budget table.
type budget struct {
	what, limit, measured string
	met                   bool
	known                 bool // false: not measured in this run
}

func verdict(b budget) string {
	switch {
	case !b.known:
		return "not measured"
	case b.met:
		return "met"
	default:
		return "**missed**"
	}
}
