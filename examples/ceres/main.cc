// gradc in Ceres: a curve fit, y = exp(m x + c), solved by Ceres'
// Levenberg-Marquardt with the residuals and their Jacobian from
// residuals_jac, which gradc generated from curve.fn at build time: an
// analytic cost function, no automatic or numeric differentiation in
// Ceres. The data are made from known parameters, so the fit must find
// them: exit status 0 when it does.
#include <ceres/ceres.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "curve.h"     // extern "C": residuals(), residuals_jac()

namespace {

// All n residuals in one block of the 2 parameters. Ceres wants the
// Jacobian of a block row-major, residuals by parameters: what f_jac
// writes.
class CurveCost : public ceres::CostFunction {
  public:
    CurveCost(const std::vector<double> &x, const std::vector<double> &y) : x_(x), y_(y)
    {
        set_num_residuals(static_cast<int>(x.size()));
        mutable_parameter_block_sizes()->push_back(2);
    }

    bool Evaluate(double const *const *parameters, double *r, double **jacobians) const override
    {
        int n = static_cast<int>(x_.size());
        if (jacobians && jacobians[0])
            residuals_jac(n, x_.data(), y_.data(), parameters[0], r, jacobians[0]);
        else
            residuals(n, x_.data(), y_.data(), parameters[0], r);
        return true;
    }

  private:
    const std::vector<double> &x_, &y_;
};

}  // namespace

int main()
{
    const double truth[2] = {0.3, 0.1};     // m, c
    std::vector<double> x(67), y(67);
    for (size_t i = 0; i < x.size(); i++) {
        x[i] = 0.075 * static_cast<double>(i);
        y[i] = std::exp(truth[0] * x[i] + truth[1]);
    }

    double p[2] = {0.0, 0.0};
    ceres::Problem problem;
    problem.AddResidualBlock(new CurveCost(x, y), nullptr, p);
    ceres::Solver::Options options;
    options.linear_solver_type = ceres::DENSE_QR;
    options.function_tolerance = 1e-16;
    options.parameter_tolerance = 1e-14;
    options.gradient_tolerance = 1e-16;
    ceres::Solver::Summary summary;
    ceres::Solve(options, &problem, &summary);

    std::printf("Ceres: %s, %d iterations, cost %.3g\n",
                summary.termination_type == ceres::CONVERGENCE ? "converged" : "did not converge",
                static_cast<int>(summary.iterations.size()), summary.final_cost);
    int failures = summary.termination_type != ceres::CONVERGENCE;
    const char *name[2] = {"m", "c"};
    for (int j = 0; j < 2; j++) {
        double err = std::fabs(p[j] - truth[j]);
        std::printf("%s = %.10f (true %.10f, |error| %.1e)\n", name[j], p[j], truth[j], err);
        failures += !(err < 1e-8);
    }
    std::puts(failures ? "FAILED: the fit did not find the parameters"
                       : "ok: Ceres with gradc's Jacobian found the parameters");
    return failures != 0;
}
