"""Message layouts of jobs.md §3: pure functions from frozen input values to WhatsApp text.

One module per message family; `posts` and `blocks` hold the pieces several families share.
"""
