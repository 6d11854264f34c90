// Package ui is the desktop app's window. It renders snapshots published by
// the engine and gateway and sends commands through the app's Controller; it
// holds no business logic of its own.
package ui
