package foo // foo-contents
