;;; test.el --- Emacs + eglot as a third LSP client of the pglens language server (test/editors/run.mjs). -*- lexical-binding: t -*-
;; Opens src/orders.ts of the fixture workspace with eglot talking to `node out/server.js --stdio`, waits for the
;; flymake diagnostics eglot receives, and writes them to $PGLENS_EMACS_OUT as JSON.

(require 'eglot)
(require 'json)

(let* ((server (getenv "PGLENS_SERVER"))
       (root (file-name-as-directory (getenv "PGLENS_WORKSPACE")))
       (out (getenv "PGLENS_EMACS_OUT"))
       (result '()))
  (setq eglot-server-programs `((js-mode . ("node" ,server "--stdio"))))
  (setq eglot-sync-connect t)
  (find-file (expand-file-name "src/orders.ts" root))
  (js-mode)
  (flymake-mode 1)
  (condition-case err
      (progn
        ;; eglot-ensure would connect from the command loop, which batch mode never runs: connect directly.
        (unless (eglot-current-server)
          (let ((project (project-current)))
            (eglot '(js-mode) project 'eglot-lsp-server (list "node" server "--stdio") "typescript")))
        (let ((deadline (+ (float-time) 90)) (found nil))
          (while (and (not found) (< (float-time) deadline))
            (accept-process-output nil 0.1)
            (setq found (seq-filter (lambda (d) (string-match-p "pglens" (format "%s" (flymake-diagnostic-text d))))
                                    (flymake-diagnostics))))
          (setq result
                (mapcar (lambda (d)
                          (let ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
                            `((line . ,(1- (line-number-at-pos beg)))
                              (col . ,(save-excursion (goto-char beg) (current-column)))
                              (end_line . ,(1- (line-number-at-pos end)))
                              (end_col . ,(save-excursion (goto-char end) (current-column)))
                              (type . ,(format "%s" (flymake-diagnostic-type d)))
                              (text . ,(flymake-diagnostic-text d)))))
                        found))))
    (error (setq result `((error . ,(format "%S" err))))))
  (with-temp-file out (insert (json-encode (or result []))))
  (kill-emacs 0))
