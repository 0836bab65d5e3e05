"""The Melody Studio: piano-roll editor, support set, generation, audition and export."""
