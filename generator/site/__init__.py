"""Stage 5, the site: Sphinx glue (rendering before the build, reference tables, the
reader's form), the page's data file and the template compiler to JavaScript. Only this
package imports Sphinx."""
