"""Scene applications (一件事, issue 18): one submission over a catalogue scene opens
one case per selected item; one progress view; complete when every case is."""
