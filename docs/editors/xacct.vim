" Vim (and Neovim) compiler plugin for xacct.
"
" Copy to ~/.vim/compiler/xacct.vim (Neovim: ~/.config/nvim/compiler/xacct.vim), then
"   :compiler xacct
"   :make infra/          (or :make % for the current file's setup, with --changed below)
"   :copen
"
" Vim's default 'errorformat' already reads xacct's compact lines. This one also sets each
" entry's type (error, warning, info), and it reads the column as a character column, which
" is how xacct counts. Vim's %c counts bytes, so it misplaces the cursor on lines with
" non-ASCII characters before the finding. %v counts screen columns, which agree with xacct's
" except after a tab or a double-width character.
if exists('current_compiler')
  finish
endif
let current_compiler = 'xacct'
if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif
CompilerSet makeprg=xacct\ lint\ --changed\ --format\ compact
CompilerSet errorformat=%f:%l:%v:\ %t%*[a-z]%m
