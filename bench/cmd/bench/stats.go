package main

import (
	"fmt"
	"math"
	"slices"
)

// summary is what the tables show of a sample of milliseconds.
type summary struct {
	N                     int
	Median, P95, P99, Min float64
}

func summarize(ms []float64) summary {
	if len(ms) == 0 {
		return summary{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	return summary{N: len(s), Median: quantile(s, 0.5), P95: quantile(s, 0.95), P99: quantile(s, 0.99), Min: s[0]}
}

// quantile of sorted s by the nearest-rank method; the median of an even
// sample is the mean of the middle two.
func quantile(s []float64, q float64) float64 {
	if q == 0.5 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func median(ms []float64) float64 { return summarize(ms).Median }

// ms formats milliseconds with a precision that suits their size.
func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// bytesN formats a byte count with thousands separators (5,123,355).
func bytesN(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }
