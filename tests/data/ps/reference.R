# Reference values for mkba's propensity-score estimators (issue 13; definitions in PS-SPEC.md).
#
# Run from this directory:   Rscript reference.R > reference.txt
# (R >= 3.6 for the sample() of set.seed(2026); packages MatchIt, sandwich, survey, numDeriv.)
#
# 1. Writes confounded.csv (simulated, set.seed(2026)) and lalonde.csv (MatchIt's lalonde).
# 2. Reads both files back with read.csv and computes every reference value from what was read,
#    so the numbers are those of the bytes mkba reads.
#
# Standard errors: the stacked M-estimation sandwich V = A^-1 B A^-T of PS-SPEC.md, with
# A = d(sum_i psi_i)/d theta' by numDeriv::jacobian(method = "Richardson") (independent of any
# hand derivation) and B = sum_i psi_i psi_i'. The same A is also derived by hand (analytic_A);
# both SEs are printed and their relative difference is checked (< 1e-8, else the script stops).
#
# Confounded data, by construction (see gen_confounded):
#   treatment:  logit P(pilot) = -0.9 - 0.5 a - 0.45 a^2 + 0.3 female + 0.6 single_parent
#                                - 0.4 couple + 0.09 (months_before - 10),   a = (age - 42) / 10
#               (a model with age, age^2, female, household, months_before is right)
#   outcome:    y = y0 + pilot * tau(age),  tau(age) = 3 - 0.1 (age - 42)   (larger when young)
#               y0 = 30 + 0.3 (age-42) - 0.01 (age-42)^2 + 1.5 female - 3 single_parent + 2 couple
#                    - 0.5 months_before + u + e,   u ~ N(0, 3^2) a person effect, e ~ N(0, 2^2)
#               y_pre = 28 + the same covariate terms + u + e',  e' ~ N(0, 2^2) (no effect)
#   y_bin:      P(1) = plogis(-0.3 + 0.02 (age-42) + 0.4 female - 0.5 single_parent
#                                - 0.08 (months_before - 10) + pilot * (0.6 - 0.02 (age - 42)))
#   The true sample effects (mean of tau(age_i), or of P1_i - P0_i for y_bin, over the pilot
#   persons: ATT, and over everyone: ATE) are printed under "truth" below; for this seed:
#     y:     ATT = 3.4074404761904762 (all 336 pilot persons; 3.4158536585365855 the 328 with y)
#            ATE = 2.9534666666666665 (all 1500 persons; 2.9437414965986393 the 1470 with y)
#     y_bin: ATT = 0.15662246795921256, ATE = 0.13633365214365176 (risk differences)
#   (y - y_pre has the same true effects as y.)
#   Naive differences are biased downward: the pilot has more months on assistance before and
#   more single parents, both lowering y.

suppressPackageStartupMessages({
  library(numDeriv)
  library(sandwich)
  library(survey)
})

Z95 <- 1.959963984540054

## ------------------------------------------------------------------ writing the data files

# The shortest of 15, 16 or 17 significant digits that reads back as the same double.
fmt_exact <- function(x) {
  vapply(x, function(v) {
    if (is.na(v)) return("")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), v)
      if (as.numeric(s) == v) break
    }
    if (grepl("e", s)) stop("scientific notation in output: ", s)
    s
  }, "")
}

write_plain_csv <- function(df, file) {
  out <- lapply(df, function(col) if (is.numeric(col)) fmt_exact(col) else as.character(col))
  lines <- c(paste(names(df), collapse = ","),
             do.call(paste, c(out, sep = ",")))
  writeLines(lines, file)
}

gen_confounded <- function() {
  set.seed(2026)
  n <- 1500
  age <- sample(18:66, n, replace = TRUE)
  female <- rbinom(n, 1, 0.55)
  household <- sample(c("single", "single_parent", "couple"), n, replace = TRUE,
                      prob = c(0.45, 0.25, 0.30))
  sp <- as.numeric(household == "single_parent")
  cp <- as.numeric(household == "couple")
  months_before <- pmin(24, pmax(0, round(rnorm(n, 6 + 0.15 * (age - 18) + 3 * sp, 5))))
  a <- (age - 42) / 10
  lp <- -0.9 - 0.5 * a - 0.45 * a^2 + 0.3 * female + 0.6 * sp - 0.4 * cp +
    0.09 * (months_before - 10)
  treat <- rbinom(n, 1, plogis(lp))
  tau <- 3 - 0.1 * (age - 42)
  base <- 0.3 * (age - 42) - 0.01 * (age - 42)^2 + 1.5 * female - 3 * sp + 2 * cp -
    0.5 * months_before
  u <- rnorm(n, 0, 3)
  y_pre <- round(28 + base + u + rnorm(n, 0, 2), 2)
  y <- round(30 + base + u + treat * tau + rnorm(n, 0, 2), 2)
  lb <- -0.3 + 0.02 * (age - 42) + 0.4 * female - 0.5 * sp - 0.08 * (months_before - 10)
  p0 <- plogis(lb)
  p1 <- plogis(lb + 0.6 - 0.02 * (age - 42))
  y_bin <- rbinom(n, 1, ifelse(treat == 1, p1, p0))
  # about 2% missing outcomes, never on the first row
  miss <- sample(2:n, 30)
  y[miss] <- NA
  df <- data.frame(group = ifelse(treat == 1, "pilot", "control"), age = age, female = female,
                   household = household, months_before = months_before, y = y,
                   y_pre = y_pre, y_bin = y_bin, stringsAsFactors = FALSE)
  # the first data row is a pilot person: move the first pilot row to the front
  first <- which(treat == 1)[1]
  ord <- c(first, setdiff(seq_len(n), first))
  list(df = df[ord, ], tau = tau[ord], rd = (p1 - p0)[ord], treat = treat[ord])
}

gen <- gen_confounded()
write_plain_csv(gen$df, "confounded.csv")

data(lalonde, package = "MatchIt")
ll <- data.frame(group = ifelse(lalonde$treat == 1, "pilot", "control"),
                 age = lalonde$age, educ = lalonde$educ, race = as.character(lalonde$race),
                 married = lalonde$married, nodegree = lalonde$nodegree,
                 re74 = lalonde$re74, re75 = lalonde$re75, re78 = lalonde$re78,
                 stringsAsFactors = FALSE)
write_plain_csv(ll, "lalonde.csv")

## ------------------------------------------------------------------ printing

out <- function(name, x) {
  for (i in seq_along(x)) {
    nm <- if (length(x) > 1 || !is.null(names(x))) paste0(name, "[", names(x)[i], "]") else name
    cat(sprintf("%s = %s\n", nm, sprintf("%.17g", x[[i]])))
  }
}

## ------------------------------------------------------------------ designs

# Columns of the design for `terms` on rows `rows` of df: (Intercept), then per term in order:
# a number (one column), a category (a 0/1 dummy per level but the base; levels in order of
# first appearance among `rows`, the base the first), `v^2`, or `a*b` (the product only).
term_vars <- function(terms) unique(unlist(strsplit(sub("\\^2$", "", terms), "*", fixed = TRUE)))

design <- function(df, terms, rows) {
  d <- df[rows, , drop = FALSE]
  cols <- list(`(Intercept)` = rep(1, nrow(d)))
  for (t in terms) {
    if (grepl("^[A-Za-z_]+\\^2$", t)) {
      v <- sub("\\^2$", "", t)
      cols[[t]] <- as.numeric(d[[v]])^2
    } else if (grepl("*", t, fixed = TRUE)) {
      vs <- strsplit(t, "*", fixed = TRUE)[[1]]
      cols[[t]] <- as.numeric(d[[vs[1]]]) * as.numeric(d[[vs[2]]])
    } else if (is.character(d[[t]])) {
      lev <- unique(d[[t]])
      for (l in lev[-1]) cols[[paste0(t, "=", l)]] <- as.numeric(d[[t]] == l)
    } else {
      cols[[t]] <- as.numeric(d[[t]])
    }
  }
  X <- do.call(cbind, cols)
  colnames(X) <- names(cols)
  X
}

fit_ps <- function(X, Tr) {
  g <- glm(Tr ~ 0 + X, family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
  if (!g$converged) stop("glm did not converge")
  names(g$coefficients) <- colnames(X)
  g
}

att_w <- function(Tr, e) ifelse(Tr == 1, 1, e / (1 - e))
ate_w <- function(Tr, e) ifelse(Tr == 1, 1 / e, 1 / (1 - e))
wfun <- function(est) if (est == "att") att_w else ate_w
# d w_i / d beta = dw_i * X_i
dwfac <- function(est, Tr, e, w) {
  if (est == "att") ifelse(Tr == 1, 0, w) else ifelse(Tr == 1, -w * (1 - e), w * e)
}

sandwich_se <- function(A, B, cvec) {
  Ai <- solve(A)
  V <- Ai %*% B %*% t(Ai)
  sqrt(drop(t(cvec) %*% V %*% cvec))
}

# ------------------------------------------------------------------ IPW
# theta = (beta, mu1, mu0); has = 1 for the estimation sample; v = 0 where has = 0.
ipw_psi <- function(theta, X, Tr, v, has, est) {
  p <- ncol(X)
  beta <- theta[1:p]; mu1 <- theta[p + 1]; mu0 <- theta[p + 2]
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  cbind(X * (Tr - e),
        has * Tr * w * (v - mu1),
        has * (1 - Tr) * w * (v - mu0))
}

ipw_A <- function(theta, X, Tr, v, has, est) {
  p <- ncol(X)
  beta <- theta[1:p]; mu1 <- theta[p + 1]; mu0 <- theta[p + 2]
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  dw <- dwfac(est, Tr, e, w)
  A <- matrix(0, p + 2, p + 2)
  A[1:p, 1:p] <- -crossprod(X, X * (e * (1 - e)))
  A[p + 1, 1:p] <- colSums(X * (has * Tr * (v - mu1) * dw))
  A[p + 1, p + 1] <- -sum(has * Tr * w)
  A[p + 2, 1:p] <- colSums(X * (has * (1 - Tr) * (v - mu0) * dw))
  A[p + 2, p + 2] <- -sum(has * (1 - Tr) * w)
  A
}

ipw <- function(X, Tr, v, has, est, beta) {
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  i1 <- has == 1 & Tr == 1; i0 <- has == 1 & Tr == 0
  mu1 <- sum(w[i1] * v[i1]) / sum(w[i1])
  mu0 <- sum(w[i0] * v[i0]) / sum(w[i0])
  theta <- c(beta, mu1, mu0)
  cvec <- c(rep(0, length(beta)), 1, -1)
  psi <- ipw_psi(theta, X, Tr, v, has, est)
  B <- crossprod(psi)
  An <- jacobian(function(th) colSums(ipw_psi(th, X, Tr, v, has, est)), theta,
                 method = "Richardson")
  Aa <- ipw_A(theta, X, Tr, v, has, est)
  list(est = mu1 - mu0, mu1 = mu1, mu0 = mu0, se = sandwich_se(An, B, cvec),
       se_analytic = sandwich_se(Aa, B, cvec), w = w, maxscore = max(abs(colSums(psi))))
}

# ------------------------------------------------------------------ DR
# ATT: theta = (beta, gamma0, a, b); ATE: theta = (beta, gamma1, gamma0, c, a, b).
dr_psi <- function(theta, X, Z, Tr, v, has, est) {
  p <- ncol(X); q <- ncol(Z)
  beta <- theta[1:p]
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  if (est == "att") {
    g0 <- theta[p + 1:q]; a <- theta[p + q + 1]; b <- theta[p + q + 2]
    r0 <- v - drop(Z %*% g0)
    cbind(X * (Tr - e),
          Z * (has * (1 - Tr) * r0),
          has * Tr * (r0 - a),
          has * (1 - Tr) * w * (r0 - b))
  } else {
    g1 <- theta[p + 1:q]; g0 <- theta[p + q + 1:q]
    cc <- theta[p + 2 * q + 1]; a <- theta[p + 2 * q + 2]; b <- theta[p + 2 * q + 3]
    r1 <- v - drop(Z %*% g1); r0 <- v - drop(Z %*% g0)
    cbind(X * (Tr - e),
          Z * (has * Tr * r1),
          Z * (has * (1 - Tr) * r0),
          has * (drop(Z %*% (g1 - g0)) - cc),
          has * Tr * w * (r1 - a),
          has * (1 - Tr) * w * (r0 - b))
  }
}

dr_A <- function(theta, X, Z, Tr, v, has, est) {
  p <- ncol(X); q <- ncol(Z)
  beta <- theta[1:p]
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  dw <- dwfac(est, Tr, e, w)
  h0 <- has * (1 - Tr); h1 <- has * Tr
  if (est == "att") {
    g0 <- theta[p + 1:q]; a <- theta[p + q + 1]; b <- theta[p + q + 2]
    r0 <- v - drop(Z %*% g0)
    k <- p + q + 2
    A <- matrix(0, k, k)
    ig <- p + 1:q; ia <- p + q + 1; ib <- p + q + 2
    A[1:p, 1:p] <- -crossprod(X, X * (e * (1 - e)))
    A[ig, ig] <- -crossprod(Z, Z * h0)
    A[ia, ig] <- -colSums(Z * h1)
    A[ia, ia] <- -sum(h1)
    A[ib, 1:p] <- colSums(X * (h0 * (r0 - b) * dw))
    A[ib, ig] <- -colSums(Z * (h0 * w))
    A[ib, ib] <- -sum(h0 * w)
  } else {
    g1 <- theta[p + 1:q]; g0 <- theta[p + q + 1:q]
    a <- theta[p + 2 * q + 2]; b <- theta[p + 2 * q + 3]
    r1 <- v - drop(Z %*% g1); r0 <- v - drop(Z %*% g0)
    k <- p + 2 * q + 3
    A <- matrix(0, k, k)
    i1 <- p + 1:q; i0 <- p + q + 1:q; ic <- p + 2 * q + 1; ia <- ic + 1; ib <- ic + 2
    A[1:p, 1:p] <- -crossprod(X, X * (e * (1 - e)))
    A[i1, i1] <- -crossprod(Z, Z * h1)
    A[i0, i0] <- -crossprod(Z, Z * h0)
    A[ic, i1] <- colSums(Z * has)
    A[ic, i0] <- -colSums(Z * has)
    A[ic, ic] <- -sum(has)
    A[ia, 1:p] <- colSums(X * (h1 * (r1 - a) * dw))
    A[ia, i1] <- -colSums(Z * (h1 * w))
    A[ia, ia] <- -sum(h1 * w)
    A[ib, 1:p] <- colSums(X * (h0 * (r0 - b) * dw))
    A[ib, i0] <- -colSums(Z * (h0 * w))
    A[ib, ib] <- -sum(h0 * w)
  }
  A
}

dr <- function(X, Z, Tr, v, has, est, beta) {
  e <- plogis(drop(X %*% beta))
  w <- wfun(est)(Tr, e)
  i1 <- has == 1 & Tr == 1; i0 <- has == 1 & Tr == 0
  g0 <- unname(coef(lm.fit(Z[i0, , drop = FALSE], v[i0])))
  m0 <- drop(Z %*% g0)
  if (est == "att") {
    a <- mean(v[i1] - m0[i1])
    b <- sum(w[i0] * (v[i0] - m0[i0])) / sum(w[i0])
    theta <- c(beta, g0, a, b)
    tau <- a - b
    cvec <- c(rep(0, length(beta) + length(g0)), 1, -1)
    parts <- c(a = a, b = b)
  } else {
    g1 <- unname(coef(lm.fit(Z[i1, , drop = FALSE], v[i1])))
    m1 <- drop(Z %*% g1)
    cc <- mean(m1[has == 1] - m0[has == 1])
    a <- sum(w[i1] * (v[i1] - m1[i1])) / sum(w[i1])
    b <- sum(w[i0] * (v[i0] - m0[i0])) / sum(w[i0])
    theta <- c(beta, g1, g0, cc, a, b)
    tau <- cc + a - b
    cvec <- c(rep(0, length(beta) + 2 * length(g0)), 1, 1, -1)
    parts <- c(c = cc, a = a, b = b)
  }
  psi <- dr_psi(theta, X, Z, Tr, v, has, est)
  B <- crossprod(psi)
  An <- jacobian(function(th) colSums(dr_psi(th, X, Z, Tr, v, has, est)), theta,
                 method = "Richardson")
  Aa <- dr_A(theta, X, Z, Tr, v, has, est)
  list(est = tau, parts = parts, se = sandwich_se(An, B, cvec),
       se_analytic = sandwich_se(Aa, B, cvec), maxscore = max(abs(colSums(psi))))
}

# ------------------------------------------------------------------ balance

balance <- function(X, Tr, w, est) {
  cols <- colnames(X)[-1]
  res <- list()
  for (j in cols) {
    x <- X[, j]
    xt <- x[Tr == 1]; xc <- x[Tr == 0]
    s <- if (est == "att") sd(xt) else sqrt((var(xt) + var(xc)) / 2)
    before <- (mean(xt) - mean(xc)) / s
    wt <- w[Tr == 1]; wc <- w[Tr == 0]
    after <- (sum(wt * xt) / sum(wt) - sum(wc * xc) / sum(wc)) / s
    res[[j]] <- c(before = before, after = after, s = s)
  }
  res
}

ess <- function(w) sum(w)^2 / sum(w^2)

## ------------------------------------------------------------------ one case

check_rel <- function(what, x, y, tol = 1e-8) {
  rel <- abs(x - y) / abs(y)
  if (!(rel < tol)) stop(sprintf("%s: numeric %.17g vs analytic %.17g (rel %.3g)", what, x, y, rel))
  rel
}

run_case <- function(tag, title, df, outcome, terms, pre = NULL, covariates = NULL,
                     trim = 0, balance_out = TRUE, svy = TRUE) {
  cat(sprintf("\n## case %s: %s\n", tag, title))
  cat(sprintf("# outcome %s%s; PS terms: %s\n", outcome,
              if (is.null(pre)) "" else paste0(" - ", pre, " (change score)"),
              paste(terms, collapse = ", ")))
  if (is.null(covariates)) covariates <- terms
  cat(sprintf("# DR/OLS outcome covariates: %s\n", paste(covariates, collapse = ", ")))
  Tall <- as.numeric(df$group == "pilot")
  psvars <- term_vars(terms)
  rows <- which(complete.cases(df[, psvars, drop = FALSE]))
  X <- design(df, terms, rows); Tr <- Tall[rows]
  g <- fit_ps(X, Tr)
  if (trim > 0) {
    e0 <- fitted(g)
    drop_ <- e0 < trim | e0 > 1 - trim
    out(paste0(tag, ".trim.threshold"), trim)
    out(paste0(tag, ".trim.dropped_pilot"), sum(drop_ & Tr == 1))
    out(paste0(tag, ".trim.dropped_control"), sum(drop_ & Tr == 0))
    rows <- rows[!drop_]
    X <- design(df, terms, rows); Tr <- Tall[rows]
    g <- fit_ps(X, Tr)
  }
  beta <- coef(g)
  pfx <- paste0(tag, if (trim > 0) ".trimmed" else "")
  out(paste0(pfx, ".n_ps_pilot"), sum(Tr == 1))
  out(paste0(pfx, ".n_ps_control"), sum(Tr == 0))
  out(paste0(pfx, ".glm.iterations"), g$iter)
  sm <- summary(g)$coefficients
  out(paste0(pfx, ".glm.coef"), setNames(sm[, 1], colnames(X)))
  out(paste0(pfx, ".glm.se"), setNames(sm[, 2], colnames(X)))
  out(paste0(pfx, ".glm.deviance"), deviance(g))

  d <- df[rows, , drop = FALSE]
  v <- as.numeric(d[[outcome]])
  if (!is.null(pre)) v <- v - as.numeric(d[[pre]])
  covvars <- term_vars(covariates)
  has <- as.numeric(!is.na(v) & complete.cases(d[, covvars, drop = FALSE]))
  vz <- ifelse(has == 1, v, 0)
  Z <- design(df, covariates, rows)
  out(paste0(pfx, ".n_est_pilot"), sum(has * Tr))
  out(paste0(pfx, ".n_est_control"), sum(has * (1 - Tr)))

  i1 <- has == 1 & Tr == 1; i0 <- has == 1 & Tr == 0
  if (trim == 0) {
    naive <- mean(v[i1]) - mean(v[i0])
    out(paste0(pfx, ".naive.estimate"), naive)
    out(paste0(pfx, ".naive.mean_pilot"), mean(v[i1]))
    out(paste0(pfx, ".naive.mean_control"), mean(v[i0]))
    out(paste0(pfx, ".naive.se_welch"), sqrt(var(v[i1]) / sum(i1) + var(v[i0]) / sum(i0)))
    Zs <- Z[has == 1, -1, drop = FALSE]
    od <- data.frame(v = v[has == 1], pilot = Tr[has == 1], Zs, check.names = FALSE)
    fit <- lm(v ~ ., data = od)
    out(paste0(pfx, ".ols.estimate"), coef(fit)[["pilot"]])
    out(paste0(pfx, ".ols.se_classical"), summary(fit)$coefficients["pilot", 2])
    out(paste0(pfx, ".ols.se_hc1"), sqrt(vcovHC(fit, type = "HC1")["pilot", "pilot"]))
  }

  for (est in c("att", "ate")) {
    r <- ipw(X, Tr, vz, has, est, beta)
    out(sprintf("%s.ipw.%s.estimate", pfx, est), r$est)
    out(sprintf("%s.ipw.%s.mu1", pfx, est), r$mu1)
    out(sprintf("%s.ipw.%s.mu0", pfx, est), r$mu0)
    out(sprintf("%s.ipw.%s.se", pfx, est), r$se)
    out(sprintf("%s.ipw.%s.ci_low", pfx, est), r$est - Z95 * r$se)
    out(sprintf("%s.ipw.%s.ci_high", pfx, est), r$est + Z95 * r$se)
    out(sprintf("%s.ipw.%s.se_analytic_A", pfx, est), r$se_analytic)
    rel <- check_rel(sprintf("%s ipw %s SE", pfx, est), r$se, r$se_analytic)
    cat(sprintf("# %s ipw %s: numDeriv vs analytic A, SE rel. diff %.2e; max |sum psi| %.2e\n",
                pfx, est, rel, r$maxscore))
    if (svy) {
      sd_ <- data.frame(v = v[has == 1], pilot = Tr[has == 1], w = r$w[has == 1])
      des <- svydesign(ids = ~1, weights = ~w, data = sd_)
      sg <- svyglm(v ~ pilot, design = des)
      out(sprintf("%s.svyglm.%s.estimate", pfx, est), coef(sg)[["pilot"]])
      out(sprintf("%s.svyglm.%s.se_weights_known", pfx, est), SE(sg)[["pilot"]])
      cat(sprintf("# svyglm %s coefficient - Hajek estimate = %.3g\n", est,
                  coef(sg)[["pilot"]] - r$est))
    }
    rd <- dr(X, Z, Tr, vz, has, est, beta)
    out(sprintf("%s.dr.%s.estimate", pfx, est), rd$est)
    out(sprintf("%s.dr.%s.part", pfx, est), rd$parts)
    out(sprintf("%s.dr.%s.se", pfx, est), rd$se)
    out(sprintf("%s.dr.%s.ci_low", pfx, est), rd$est - Z95 * rd$se)
    out(sprintf("%s.dr.%s.ci_high", pfx, est), rd$est + Z95 * rd$se)
    out(sprintf("%s.dr.%s.se_analytic_A", pfx, est), rd$se_analytic)
    rel <- check_rel(sprintf("%s dr %s SE", pfx, est), rd$se, rd$se_analytic)
    cat(sprintf("# %s dr %s: numDeriv vs analytic A, SE rel. diff %.2e; max |sum psi| %.2e\n",
                pfx, est, rel, rd$maxscore))

    if (balance_out) {
      w <- r$w
      b <- balance(X, Tr, w, est)
      for (j in names(b)) {
        out(sprintf("%s.balance.%s.smd_before[%s]", pfx, est, j), b[[j]][["before"]])
        out(sprintf("%s.balance.%s.smd_after[%s]", pfx, est, j), b[[j]][["after"]])
      }
      out(sprintf("%s.balance.%s.ess_pilot", pfx, est), ess(w[Tr == 1]))
      out(sprintf("%s.balance.%s.ess_control", pfx, est), ess(w[Tr == 0]))
      out(sprintf("%s.balance.%s.max_weight_pilot", pfx, est), max(w[Tr == 1]))
      out(sprintf("%s.balance.%s.max_weight_control", pfx, est), max(w[Tr == 0]))
    }
  }
  invisible(g)
}

## ------------------------------------------------------------------ the cases

cf <- read.csv("confounded.csv", stringsAsFactors = FALSE)
la <- read.csv("lalonde.csv", stringsAsFactors = FALSE)
stopifnot(nrow(cf) == 1500, cf$group[1] == "pilot", nrow(la) == 614)

cat("# mkba propensity-score reference values (PS-SPEC.md); written by reference.R\n")
cat(sprintf("# %s; numDeriv %s, sandwich %s, survey %s, MatchIt %s\n", R.version.string,
            packageVersion("numDeriv"), packageVersion("sandwich"),
            packageVersion("survey"), packageVersion("MatchIt")))
cat("# values: sprintf(\"%.17g\"); SEs: stacked sandwich A^-1 B A^-T, A by numDeriv Richardson\n")

cat("\n## truth (confounded.csv, from the generating model)\n")
Tg <- gen$treat; hy <- !is.na(gen$df$y)
out("truth.y.att_all", mean(gen$tau[Tg == 1]))
out("truth.y.ate_all", mean(gen$tau))
out("truth.y.att_with_y", mean(gen$tau[Tg == 1 & hy]))
out("truth.y.ate_with_y", mean(gen$tau[hy]))
out("truth.y_bin.att", mean(gen$rd[Tg == 1]))
out("truth.y_bin.ate", mean(gen$rd))
out("truth.n_pilot", sum(Tg == 1))
out("truth.n_control", sum(Tg == 0))
out("truth.n_missing_y", sum(!hy))

terms_a <- c("age", "age^2", "female", "household", "months_before")

# cross-check of the hand-built design: glm with an R formula and factor levels in order of
# first appearance gives the same coefficients
g_a <- run_case("a", "confounded.csv, y", cf, "y", terms_a)
cff <- cf
cff$household <- factor(cff$household, levels = unique(cff$household))
cff$pilot <- as.numeric(cff$group == "pilot")
gf <- glm(pilot ~ age + I(age^2) + female + household + months_before, family = binomial,
          data = cff, control = glm.control(epsilon = 1e-14, maxit = 100))
stopifnot(max(abs(unname(coef(gf)) - unname(coef(g_a)))) < 1e-10)
cat("# design check: formula glm with factor(levels = unique(x)) gives the same coefficients\n")
cat(sprintf("# household levels in order of first appearance: %s (base %s)\n",
            paste(unique(cf$household), collapse = ", "), unique(cf$household)[1]))

run_case("a_trim", "confounded.csv, y, trim = 0.05", cf, "y", terms_a, trim = 0.05,
         balance_out = TRUE, svy = FALSE)
run_case("b", "confounded.csv, y - y_pre (change score)", cf, "y", terms_a, pre = "y_pre")
run_case("c", "confounded.csv, y_bin, PS without age^2 (misspecified)", cf, "y_bin",
         c("age", "female", "household", "months_before"))
terms_d <- c("age", "educ", "race", "married", "nodegree", "re74", "re75")
run_case("d", "lalonde.csv, re78", la, "re78", terms_d)
cat(sprintf("# race levels in order of first appearance: %s (base %s)\n",
            paste(unique(la$race), collapse = ", "), unique(la$race)[1]))
run_case("e", "lalonde.csv, re78, PS with age^2 and educ*married", la, "re78",
         c("age", "age^2", "educ", "race", "married", "nodegree", "re74", "re75",
           "educ*married"))
cat("\n# end\n")
