// Package stack loads a stack file: a Compose file read through
// compose-go exactly as Compose reads it, plus Berth's x-berth settings,
// resolved into the engine's Specs and the gateway's configuration.
package stack
