"""Answer banks: answers written from each question, with the verdict a fair tutor gives."""
