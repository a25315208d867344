package session

import (
	"context"
	"testing"
	"time"
)

// BenchmarkToken measures the fast path: a valid token, no renewal.
func BenchmarkToken(b *testing.B) {
	r := New(Options{Token: tokenExp(b, time.Now().Add(time.Hour))})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenParallel(b *testing.B) {
	r := New(Options{Token: tokenExp(b, time.Now().Add(time.Hour))})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
